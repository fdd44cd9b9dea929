//! CORS as a template writes it, normalised into a [`CorsSpec`]: a REST API's `Cors` (an
//! origin in single quotes, or a map of header values in single quotes), an HTTP API's
//! `CorsConfiguration` (`true`, or a map of lists) and a function URL's `Cors` (a map of lists).

use serde_json::Value;
use serde_saphyr::{Location, Spanned};

use super::context::Context;
use super::intrinsics::Leaf;
use super::syntax::{CorsConfiguration, RestCors, ScalarOr};
use crate::{CorsSpec, Result};

/// `leaf`, at its own place in the file, else at `outer`'s (a leaf inside a [`ScalarOr`] map
/// has lost its place).
fn located<T>(leaf: &Spanned<Leaf>, outer: &Spanned<T>) -> Spanned<Leaf> {
    if leaf.referenced == Location::UNKNOWN {
        Spanned::new(leaf.value.clone(), outer.referenced, outer.defined)
    } else {
        leaf.clone()
    }
}

/// A [`ScalarOr`]'s map, or its scalar as a leaf at the value's place in the file.
fn map_or_scalar<T>(value: &Spanned<ScalarOr<T>>) -> std::result::Result<&T, Spanned<Leaf>> {
    let leaf = match &value.value {
        ScalarOr::Map(map) => return Ok(map),
        ScalarOr::Intrinsic(intrinsic) => Leaf::Intrinsic(intrinsic.clone()),
        ScalarOr::Plain(plain) => Leaf::Plain(plain.clone()),
    };
    Err(Spanned::new(leaf, value.referenced, value.defined))
}

/// A comma-separated list, each item trimmed, empty items dropped.
fn split(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Context<'_> {
    /// A REST API's `Cors` (`property` names it): `"'*'"` is the allowed origin; a map gives
    /// `AllowOrigin`, `AllowMethods`, `AllowHeaders` (comma-separated), `MaxAge` (each in
    /// single quotes) and `AllowCredentials`.
    pub(super) fn rest_cors(
        &self,
        property: &str,
        cors: &Spanned<ScalarOr<RestCors>>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<CorsSpec>> {
        let map = match map_or_scalar(cors) {
            Ok(map) => map,
            Err(leaf) => {
                let origins = self.quoted(property, &leaf, warnings)?;
                return Ok(origins.map(|origins| CorsSpec {
                    allow_origins: split(&origins),
                    ..CorsSpec::default()
                }));
            }
        };
        for key in map.other.keys() {
            warnings.push(self.warning(None, format!("`{property}.{key}` ignored: not simulated")));
        }
        let Some(origin) = &map.allow_origin else {
            return Err(self.error(cors, format!("`{property}.AllowOrigin` is missing")));
        };
        let mut spec = CorsSpec::default();
        let mut list = |key: &str, leaf: Option<&Spanned<Leaf>>| -> Result<Vec<String>> {
            match leaf {
                Some(leaf) => {
                    let leaf = located(leaf, cors);
                    let text = self.quoted(&format!("{property}.{key}"), &leaf, warnings)?;
                    Ok(text.as_deref().map(split).unwrap_or_default())
                }
                None => Ok(Vec::new()),
            }
        };
        spec.allow_origins = list("AllowOrigin", Some(origin))?;
        spec.allow_methods = list("AllowMethods", map.allow_methods.as_ref())?;
        spec.allow_headers = list("AllowHeaders", map.allow_headers.as_ref())?;
        if let Some(leaf) = &map.max_age {
            let leaf = located(leaf, cors);
            let key = format!("{property}.MaxAge");
            if let Some(text) = self.string(&key, &leaf, warnings)? {
                let trimmed = text.trim();
                let unquoted = trimmed
                    .strip_prefix('\'')
                    .and_then(|t| t.strip_suffix('\''));
                let seconds = unquoted.unwrap_or(trimmed).parse().map_err(|_| {
                    self.error(
                        &leaf,
                        format!(
                            "`{key}` must be a number of seconds in single quotes, not `{trimmed}`"
                        ),
                    )
                })?;
                spec.max_age = Some(seconds);
            }
        }
        if let Some(leaf) = &map.allow_credentials {
            let leaf = located(leaf, cors);
            let key = format!("{property}.AllowCredentials");
            spec.allow_credentials = self.flag(&key, &leaf, warnings)?.unwrap_or(false);
        }
        Ok(Some(spec))
    }

    /// A value API Gateway maps into a header, in single quotes: `"'*'"` is `*`.
    fn quoted(
        &self,
        property: &str,
        leaf: &Spanned<Leaf>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<String>> {
        let Some(text) = self.string(property, leaf, warnings)? else {
            return Ok(None);
        };
        let trimmed = text.trim();
        match trimmed.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
            Some(inner) => Ok(Some(inner.to_owned())),
            None => Err(self.error(
                leaf,
                format!(
                    "`{property}` must be in single quotes, as API Gateway writes a header value (\"'{trimmed}'\"), not `{trimmed}`"
                ),
            )),
        }
    }

    /// An HTTP API's `CorsConfiguration` (`property` names it): `true` allows every origin,
    /// method and header; `false` is none; a map is read as a function URL's `Cors`.
    pub(super) fn http_cors(
        &self,
        property: &str,
        cors: &Spanned<ScalarOr<CorsConfiguration>>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<CorsSpec>> {
        let map = match map_or_scalar(cors) {
            Ok(map) => map,
            Err(leaf) => {
                let any = vec!["*".to_owned()];
                return Ok(match self.value(property, &leaf, warnings) {
                    None | Some(Value::Bool(false)) => None,
                    Some(Value::Bool(true)) => Some(CorsSpec {
                        allow_origins: any.clone(),
                        allow_methods: any.clone(),
                        allow_headers: any,
                        ..CorsSpec::default()
                    }),
                    Some(other) => {
                        return Err(self.error(
                            cors,
                            format!("`{property}` must be true, false or a map, not `{other}`"),
                        ));
                    }
                });
            }
        };
        self.cors_lists(property, map, cors, warnings).map(Some)
    }

    /// A map of lists: an HTTP API's `CorsConfiguration` or a function URL's `Cors` (`at`, for
    /// the leaves that lost their place in the file).
    pub(super) fn cors_lists<T>(
        &self,
        property: &str,
        map: &CorsConfiguration,
        at: &Spanned<T>,
        warnings: &mut Vec<String>,
    ) -> Result<CorsSpec> {
        for key in map.other.keys() {
            warnings.push(self.warning(None, format!("`{property}.{key}` ignored: not simulated")));
        }
        let mut list = |key: &str, leaves: &Option<Vec<Spanned<Leaf>>>| -> Result<Vec<String>> {
            let mut items = Vec::new();
            for leaf in leaves.iter().flatten() {
                let leaf = located(leaf, at);
                if let Some(item) = self.string(&format!("{property}.{key}"), &leaf, warnings)? {
                    items.push(item);
                }
            }
            Ok(items)
        };
        let mut spec = CorsSpec {
            allow_origins: list("AllowOrigins", &map.allow_origins)?,
            allow_methods: list("AllowMethods", &map.allow_methods)?,
            allow_headers: list("AllowHeaders", &map.allow_headers)?,
            expose_headers: list("ExposeHeaders", &map.expose_headers)?,
            ..CorsSpec::default()
        };
        if let Some(leaf) = &map.max_age {
            let leaf = located(leaf, at);
            spec.max_age = self.count(&format!("{property}.MaxAge"), &leaf, warnings)?;
        }
        if let Some(leaf) = &map.allow_credentials {
            let leaf = located(leaf, at);
            let key = format!("{property}.AllowCredentials");
            spec.allow_credentials = self.flag(&key, &leaf, warnings)?.unwrap_or(false);
        }
        Ok(spec)
    }
}
