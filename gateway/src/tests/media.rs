//! Which content types travel as text and which as base64.

use crate::{is_text_content_type, matches_media_type};

#[test]
fn http_apis_treat_only_text_json_xml_and_javascript_as_text() {
    for text in [
        "text/plain",
        "TEXT/HTML; charset=utf-8",
        "application/json",
        "application/xml",
        "application/javascript",
    ] {
        assert!(is_text_content_type(text), "{text}");
    }
    for binary in [
        "",
        "image/png",
        "application/octet-stream",
        "application/x-www-form-urlencoded",
        "application/ld+json",
    ] {
        assert!(!is_text_content_type(binary), "{binary}");
    }
}

#[test]
fn rest_binary_media_types_match_exactly_or_by_wildcard() {
    let types = |list: &[&str]| list.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
    assert!(matches_media_type(&types(&["image/png"]), "image/png"));
    assert!(matches_media_type(&types(&["image/png"]), "Image/PNG; q=1"));
    assert!(matches_media_type(&types(&["image/*"]), "image/jpeg"));
    assert!(matches_media_type(&types(&["*/*"]), ""));
    assert!(!matches_media_type(&types(&["image/*"]), "imagery/png"));
    assert!(!matches_media_type(&types(&["image/png"]), ""));
    assert!(!matches_media_type(&types(&[]), "image/png"));
}
