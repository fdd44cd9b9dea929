//! `ListObjectsV2` and `ListObjects` (v1): a bucket's keys in UTF-8 byte order, filtered by
//! prefix, rolled up at a delimiter into common prefixes, a page of at most `max-keys` at a
//! time.
//!
//! A page's continuation (`NextContinuationToken`, `NextMarker`) is the last key or common
//! prefix it holds; listing resumes after it. Tokens are that item in URL-safe base64.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::buckets::{require, write_owner};
use super::errors::S3Error;
use super::objects::etag;
use super::request::S3Request;
use super::response::Answer;
use super::time::iso8601;
use super::xml::Xml;
use crate::State;

/// The most keys a page holds, and how many it holds when `max-keys` is not given.
const MAX_KEYS: usize = 1000;

/// What `encoding-type=url` leaves as it is in keys and prefixes (`/` stays readable;
/// botocore decodes with `unquote_plus`, so `+` and spaces are encoded).
const URL_ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// The listing a request asks for, common to both versions.
struct Listing<'a> {
    prefix: &'a str,
    delimiter: Option<&'a str>,
    max_keys: usize,
    url_encoded: bool,
}

/// One entry of a page: an object or a common prefix.
enum Item {
    Object(String),
    Prefix(String),
}

impl Item {
    fn name(&self) -> &str {
        match self {
            Item::Object(key) | Item::Prefix(key) => key,
        }
    }
}

/// A page of a listing.
struct Page {
    items: Vec<Item>,
    truncated: bool,
}

impl<'a> Listing<'a> {
    /// The listing parameters of a request (`prefix`, `delimiter`, `max-keys`,
    /// `encoding-type`).
    fn read(request: &'a S3Request) -> Result<Self, S3Error> {
        let max_keys = match request.param("max-keys") {
            None => MAX_KEYS,
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .map(|n| usize::try_from(n).unwrap_or(MAX_KEYS).min(MAX_KEYS))
                .ok_or_else(|| {
                    S3Error::invalid_argument(
                        "Provided max-keys not an integer or within integer range",
                        "max-keys",
                        text,
                    )
                })?,
        };
        let url_encoded = match request.param("encoding-type") {
            None => false,
            Some(kind) if kind.eq_ignore_ascii_case("url") => true,
            Some(other) => {
                return Err(S3Error::invalid_argument(
                    "Invalid Encoding Method specified in Request",
                    "encoding-type",
                    other,
                ));
            }
        };
        Ok(Listing {
            prefix: request.param("prefix").unwrap_or_default(),
            delimiter: request.param("delimiter").filter(|d| !d.is_empty()),
            max_keys,
            url_encoded,
        })
    }

    /// The page of `keys` (sorted, all starting with the prefix) after the key
    /// `start_after` and after the item `resume`.
    fn page(&self, keys: &[String], start_after: Option<&str>, resume: Option<&str>) -> Page {
        let mut items: Vec<Item> = Vec::new();
        let mut truncated = false;
        for key in keys {
            if start_after.is_some_and(|after| key.as_str() <= after) {
                continue;
            }
            let item = self.item(key);
            // Items come in order: a key rolled into the last prefix adds nothing.
            if resume.is_some_and(|after| item.name() <= after)
                || items.last().is_some_and(|last| last.name() == item.name())
            {
                continue;
            }
            if items.len() == self.max_keys {
                truncated = self.max_keys > 0;
                break;
            }
            items.push(item);
        }
        Page { items, truncated }
    }

    /// The item a key is listed as: itself, or its common prefix (up to and including the
    /// first delimiter after the prefix).
    fn item(&self, key: &str) -> Item {
        let rest = &key[self.prefix.len().min(key.len())..];
        match self
            .delimiter
            .and_then(|d| rest.find(d).map(|at| at + d.len()))
        {
            Some(end) => Item::Prefix(key[..self.prefix.len() + end].to_owned()),
            None => Item::Object(key.to_owned()),
        }
    }

    /// A key or prefix as the answer writes it.
    fn encode(&self, text: &str) -> String {
        if self.url_encoded {
            utf8_percent_encode(text, URL_ENCODED).to_string()
        } else {
            text.to_owned()
        }
    }

    /// Writes the page's `Contents` and `CommonPrefixes`.
    fn write_items(
        &self,
        xml: &mut Xml,
        state: &State,
        bucket: &str,
        page: &Page,
        owner: bool,
    ) -> Result<(), S3Error> {
        let objects = &state.services.objects;
        for item in &page.items {
            let Item::Object(key) = item else { continue };
            // A key deleted since it was listed is left out.
            let (Some(metadata), Some(body)) = (
                objects
                    .metadata(bucket, key)
                    .map_err(|err| S3Error::from_store(&err, key))?,
                objects
                    .get(bucket, key)
                    .map_err(|err| S3Error::from_store(&err, key))?,
            ) else {
                continue;
            };
            xml.open("Contents")
                .element("Key", &self.encode(key))
                .element("LastModified", &iso8601(metadata.modified))
                .element("ETag", &etag(&body))
                .element("Size", &body.len().to_string());
            if owner {
                write_owner(xml);
            }
            xml.element("StorageClass", "STANDARD").close("Contents");
        }
        for item in &page.items {
            if let Item::Prefix(prefix) = item {
                xml.open("CommonPrefixes")
                    .element("Prefix", &self.encode(prefix))
                    .close("CommonPrefixes");
            }
        }
        Ok(())
    }
}

/// The keys of `bucket` under `prefix`, in order.
fn keys(state: &State, bucket: &str, prefix: &str) -> Result<Vec<String>, S3Error> {
    require(state, bucket)?;
    state
        .services
        .objects
        .list(bucket, prefix)
        .map_err(|err| S3Error::internal(&err))
}

/// `GET /bucket?list-type=2`.
pub(super) fn list_v2(state: &State, bucket: &str, request: &S3Request) -> Result<Answer, S3Error> {
    let listing = Listing::read(request)?;
    let token = request.param("continuation-token");
    let resume = token
        .map(|token| {
            URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| {
                    S3Error::invalid_argument(
                        "The continuation token provided is incorrect",
                        "continuation-token",
                        token,
                    )
                })
        })
        .transpose()?;
    let start_after = request.param("start-after");
    let keys = keys(state, bucket, listing.prefix)?;
    let page = listing.page(&keys, start_after, resume.as_deref());
    let fetch_owner = request.param("fetch-owner") == Some("true");

    let mut xml = Xml::result("ListBucketResult");
    xml.element("Name", bucket)
        .element("Prefix", &listing.encode(listing.prefix));
    if let Some(token) = token {
        xml.element("ContinuationToken", token);
    }
    if let Some(last) = page.items.last().filter(|_| page.truncated) {
        xml.element(
            "NextContinuationToken",
            &URL_SAFE_NO_PAD.encode(last.name()),
        );
    }
    if let Some(after) = start_after {
        xml.element("StartAfter", &listing.encode(after));
    }
    xml.element("KeyCount", &page.items.len().to_string())
        .element("MaxKeys", &listing.max_keys.to_string());
    write_tail(&mut xml, &listing, &page);
    listing.write_items(&mut xml, state, bucket, &page, fetch_owner)?;
    xml.close("ListBucketResult");
    Ok(Answer::new(StatusCode::OK).xml(xml.finish()))
}

/// `GET /bucket`: the first version, paged by `marker`.
pub(super) fn list_v1(state: &State, bucket: &str, request: &S3Request) -> Result<Answer, S3Error> {
    let listing = Listing::read(request)?;
    let marker = request.param("marker").unwrap_or_default();
    let keys = keys(state, bucket, listing.prefix)?;
    let resume = (!marker.is_empty()).then_some(marker);
    let page = listing.page(&keys, None, resume);

    let mut xml = Xml::result("ListBucketResult");
    xml.element("Name", bucket)
        .element("Prefix", &listing.encode(listing.prefix))
        .element("Marker", &listing.encode(marker));
    if let Some(last) = page.items.last().filter(|_| page.truncated) {
        xml.element("NextMarker", &listing.encode(last.name()));
    }
    xml.element("MaxKeys", &listing.max_keys.to_string());
    write_tail(&mut xml, &listing, &page);
    listing.write_items(&mut xml, state, bucket, &page, true)?;
    xml.close("ListBucketResult");
    Ok(Answer::new(StatusCode::OK).xml(xml.finish()))
}

/// `Delimiter`, `EncodingType` and `IsTruncated`, which both versions write alike.
fn write_tail(xml: &mut Xml, listing: &Listing<'_>, page: &Page) {
    if let Some(delimiter) = listing.delimiter {
        xml.element("Delimiter", &listing.encode(delimiter));
    }
    if listing.url_encoded {
        xml.element("EncodingType", "url");
    }
    xml.element("IsTruncated", if page.truncated { "true" } else { "false" });
}
