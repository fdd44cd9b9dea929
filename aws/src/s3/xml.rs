//! S3's XML: documents written with escaping, and the few elements read from request bodies.

/// The namespace on the root of every S3 result document.
pub(super) const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// An XML document being written, as S3 writes it: a declaration line, then the elements
/// without indentation.
pub(super) struct Xml {
    text: String,
}

impl Xml {
    /// A document whose root is `root`, in S3's namespace.
    pub(super) fn result(root: &str) -> Self {
        let mut xml = Xml::bare();
        xml.text
            .push_str(&format!("<{root} xmlns=\"{NAMESPACE}\">"));
        xml
    }

    /// A document without a namespace on its root (S3's `<Error>`), root not yet opened.
    pub(super) fn bare() -> Self {
        Xml {
            text: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        }
    }

    /// Opens an element.
    pub(super) fn open(&mut self, name: &str) -> &mut Self {
        self.text.push('<');
        self.text.push_str(name);
        self.text.push('>');
        self
    }

    /// Closes an element.
    pub(super) fn close(&mut self, name: &str) -> &mut Self {
        self.text.push_str("</");
        self.text.push_str(name);
        self.text.push('>');
        self
    }

    /// An element holding `text`, escaped.
    pub(super) fn element(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        escape_into(&mut self.text, text);
        self.close(name)
    }

    /// The document's text.
    pub(super) fn finish(self) -> String {
        self.text
    }
}

/// Appends `text` with XML's special characters as entities; control characters that XML
/// 1.0 cannot hold literally become character references, as S3 writes them.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push_str(&format!("&#x{:X};", u32::from(c))),
            c => out.push(c),
        }
    }
}

/// The raw content of each `<name>...</name>` in `xml`, in order (elements of that name
/// are not expected to nest); `None` when one is not closed.
pub(super) fn elements<'a>(xml: &'a str, name: &str) -> Option<Vec<&'a str>> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let inner = &rest[start + open.len()..];
        let end = inner.find(&close)?;
        found.push(&inner[..end]);
        rest = &inner[end + close.len()..];
    }
    Some(found)
}

/// The text of an element's raw content, its entities and character references resolved;
/// `None` for an entity that is not one.
pub(super) fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';')?;
        let entity = &after[..semi];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match entity.strip_prefix("#x").or(entity.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => entity.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_read_back() {
        let mut xml = Xml::result("R");
        xml.element("Key", "a<b>&\"c'\u{1}");
        xml.close("R");
        let text = xml.finish();
        assert_eq!(
            text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Key>a&lt;b&gt;&amp;&quot;c&apos;&#x1;</Key></R>"
        );
        let keys = elements(&text, "Key").expect("closed");
        assert_eq!(keys, ["a&lt;b&gt;&amp;&quot;c&apos;&#x1;"]);
        assert_eq!(unescape(keys[0]).as_deref(), Some("a<b>&\"c'\u{1}"));
        assert_eq!(unescape("&#233;&#xE9;").as_deref(), Some("éé"));
        assert_eq!(elements("<O><Key>a</Key></O><O><Key>b", "Key"), None);
        assert_eq!(unescape("&bogus;"), None);
        assert_eq!(unescape("&#xD800;"), None);
        assert_eq!(unescape("a &amp b"), None);
    }
}
