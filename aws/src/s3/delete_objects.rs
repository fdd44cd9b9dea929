//! `DeleteObjects` (`POST /bucket?delete`): up to 1,000 keys named in a `<Delete>` document,
//! each deleted or answered with its own error.

use http::StatusCode;

use super::buckets::require;
use super::errors::S3Error;
use super::request::S3Request;
use super::response::Answer;
use super::xml::{Xml, elements, unescape};
use crate::State;

/// The most keys one `DeleteObjects` names.
const MAX_OBJECTS: usize = 1000;

/// `POST /bucket?delete`.
pub(super) fn delete_objects(
    state: &State,
    bucket: &str,
    request: &S3Request,
) -> Result<Answer, S3Error> {
    require(state, bucket)?;
    let text = std::str::from_utf8(&request.body).map_err(|_| S3Error::malformed_xml())?;
    if !text.contains("<Delete") {
        return Err(S3Error::malformed_xml());
    }
    let objects = elements(text, "Object").ok_or_else(S3Error::malformed_xml)?;
    if objects.is_empty() || objects.len() > MAX_OBJECTS {
        return Err(S3Error::malformed_xml());
    }
    let quiet = elements(text, "Quiet")
        .ok_or_else(S3Error::malformed_xml)?
        .first()
        .is_some_and(|q| q.trim() == "true");
    let keys = objects
        .iter()
        .map(|object| {
            let raw = elements(object, "Key")?;
            unescape(raw.first()?)
        })
        .collect::<Option<Vec<String>>>()
        .ok_or_else(S3Error::malformed_xml)?;
    let mut xml = Xml::result("DeleteResult");
    for key in keys {
        match state.services.objects.delete(bucket, &key) {
            Ok(_) if quiet => {}
            Ok(_) => {
                xml.open("Deleted").element("Key", &key).close("Deleted");
            }
            Err(err) => {
                let err = S3Error::from_store(&err, &key);
                xml.open("Error")
                    .element("Key", &key)
                    .element("Code", err.code)
                    .element("Message", &err.message)
                    .close("Error");
            }
        }
    }
    xml.close("DeleteResult");
    Ok(Answer::new(StatusCode::OK).xml(xml.finish()))
}
