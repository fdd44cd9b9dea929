//! A parsed resource path (`/pets/{id}/{proxy+}`) and how it matches a request path.

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;

/// One segment of a resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A literal segment, matched exactly against the decoded request segment.
    Literal(String),
    /// `{name}`: exactly one non-empty segment.
    Param(String),
    /// `{name+}`: one or more segments, always last.
    Greedy(String),
}

impl Segment {
    /// How specific a segment is: a literal beats a parameter beats a greedy parameter.
    fn rank(&self) -> u8 {
        match self {
            Segment::Literal(_) => 2,
            Segment::Param(_) => 1,
            Segment::Greedy(_) => 0,
        }
    }
}

/// A validated resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pub(crate) segments: Vec<Segment>,
}

impl Template {
    /// Parses `/a/{b}/{c+}`; the root `/` has no segments. The error says what is wrong.
    pub(crate) fn parse(path: &str) -> Result<Self, String> {
        let Some(rest) = path.strip_prefix('/') else {
            return Err("it must start with `/`".to_owned());
        };
        let mut segments = Vec::new();
        if rest.is_empty() {
            return Ok(Self { segments });
        }
        for raw in rest.split('/') {
            segments.push(parse_segment(raw)?);
        }
        let greedy_at = segments
            .iter()
            .position(|s| matches!(s, Segment::Greedy(_)));
        if greedy_at.is_some_and(|at| at + 1 != segments.len()) {
            return Err("a greedy parameter `{name+}` must be the last segment".to_owned());
        }
        let mut names = Vec::new();
        for segment in &segments {
            if let Segment::Param(name) | Segment::Greedy(name) = segment {
                if names.contains(&name) {
                    return Err(format!("parameter `{name}` appears twice"));
                }
                names.push(name);
            }
        }
        Ok(Self { segments })
    }

    /// The path with parameter names erased, so `/a/{x}` and `/a/{y}` compare equal.
    pub(crate) fn shape(&self) -> String {
        let mut shape = String::new();
        for segment in &self.segments {
            shape.push('/');
            match segment {
                Segment::Literal(text) => shape.push_str(text),
                Segment::Param(_) => shape.push_str("{}"),
                Segment::Greedy(_) => shape.push_str("{+}"),
            }
        }
        shape
    }

    /// The ranks of the segments, compared lexicographically to pick the most specific route.
    pub(crate) fn ranks(&self) -> Vec<u8> {
        self.segments.iter().map(Segment::rank).collect()
    }

    /// Whether the template ends with a greedy parameter.
    pub(crate) fn is_greedy(&self) -> bool {
        matches!(self.segments.last(), Some(Segment::Greedy(_)))
    }

    /// Matches request path segments (still percent-encoded); returns the decoded parameters.
    pub(crate) fn matches(&self, request: &[&str]) -> Option<BTreeMap<String, String>> {
        let mut params = BTreeMap::new();
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(text) => {
                    if decode(request.get(i)?) != *text {
                        return None;
                    }
                }
                Segment::Param(name) => {
                    let raw = request.get(i)?;
                    if raw.is_empty() {
                        return None;
                    }
                    params.insert(name.clone(), decode(raw));
                }
                Segment::Greedy(name) => {
                    let rest = request.get(i..).filter(|rest| !rest.is_empty())?;
                    let value: Vec<String> = rest.iter().map(|raw| decode(raw)).collect();
                    params.insert(name.clone(), value.join("/"));
                    return Some(params);
                }
            }
        }
        (request.len() == self.segments.len()).then_some(params)
    }
}

/// Splits a request path into its raw segments: `/` has none, and one trailing slash is
/// ignored (`/hello/` routes like `/hello`).
pub(crate) fn split_path(path: &str) -> Vec<&str> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    if path.is_empty() {
        Vec::new()
    } else {
        path.split('/').collect()
    }
}

/// Percent-decodes a path segment, replacing invalid UTF-8 with U+FFFD.
pub(crate) fn decode(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

fn parse_segment(raw: &str) -> Result<Segment, String> {
    if raw.is_empty() {
        return Err("it has an empty segment (`//` or a trailing `/`)".to_owned());
    }
    let Some(inner) = raw.strip_prefix('{') else {
        if raw.contains(['{', '}']) {
            return Err(format!("segment `{raw}` mixes text and a parameter"));
        }
        return Ok(Segment::Literal(raw.to_owned()));
    };
    let Some(inner) = inner.strip_suffix('}') else {
        return Err(format!("segment `{raw}` mixes text and a parameter"));
    };
    let (name, greedy) = match inner.strip_suffix('+') {
        Some(name) => (name, true),
        None => (inner, false),
    };
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if name.is_empty() {
        return Err(format!("segment `{raw}` has an empty parameter name"));
    }
    if !name.chars().all(valid) {
        return Err(format!(
            "parameter name `{name}` may only hold letters, digits, `_`, `-` and `.`"
        ));
    }
    Ok(if greedy {
        Segment::Greedy(name.to_owned())
    } else {
        Segment::Param(name.to_owned())
    })
}
