//! A function's `Events` of type `Api` (a REST API's route, payload format 1.0) and `HttpApi`
//! (an HTTP API's, payload format 2.0), as [`RouteSpec`]s: `Path` and `Method` (both optional
//! for an HTTP API, whose route is then `$default`), the API they belong to (`RestApiId` /
//! `ApiId`, a `!Ref` to the template's API; else SAM's implicit one), `TimeoutInMillis` and
//! `PayloadFormatVersion`.

use serde_saphyr::Spanned;

use super::apis::reader;
use super::context::Context;
use super::intrinsics::{Intrinsic, Leaf};
use super::syntax::{Event, EventProperties, HTTP_API, REST_API};
use crate::check::timeout_range_ms;
use crate::{ApiKind, Result, RouteSpec};

/// A route read from a template, with the API it belongs to.
pub(super) struct Route {
    pub spec: RouteSpec,
    /// The API's logical id; `None` for SAM's implicit API (`ServerlessRestApi`,
    /// `ServerlessHttpApi`).
    pub api: Option<String>,
}

impl Context<'_> {
    /// A function's event of type `Api` or `HttpApi` (`key` names it) as a route to `function`.
    pub(super) fn route(
        &self,
        key: &str,
        event: &Event,
        function: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Route> {
        let kind = if event.r#type == "Api" {
            ApiKind::Rest
        } else {
            ApiKind::Http
        };
        let empty = EventProperties::default();
        let p = event.properties.as_ref().unwrap_or(&empty);
        let at = |property: &str| format!("Events.{key}.Properties.{property}");
        for other in p.unread(reader(kind)) {
            warnings.push(self.warning(None, format!("`{}` ignored: not simulated", at(other))));
        }
        let path = self.optional_string(&at("Path"), p.path.as_ref(), warnings)?;
        let method = self.optional_string(&at("Method"), p.method.as_ref(), warnings)?;
        let path = match (kind, path, &method, &p.path) {
            (_, Some(path), _, _) => path,
            // A plain value that is an intrinsic not evaluated here (already warned).
            (_, None, _, Some(leaf)) => {
                return Err(self.error(leaf, format!("`{}` must be a plain path", at("Path"))));
            }
            (ApiKind::Http, None, None, None) => "$default".to_owned(),
            (ApiKind::Http, None, Some(_), None) => {
                return Err(self.refuse(format!(
                    "`{}` is missing (an `HttpApi` event without `Path` and `Method` is the `$default` route)",
                    at("Path")
                )));
            }
            (ApiKind::Rest, None, _, None) => return Err(self.missing(&at("Path"))),
        };
        if kind == ApiKind::Rest && method.is_none() {
            return Err(self.missing(&at("Method")));
        }
        let method = method.filter(|m| !m.eq_ignore_ascii_case("any"));
        let mut spec = RouteSpec::new(function, kind, method.as_deref(), &path);
        if let Some(leaf) = &p.timeout_in_millis
            && let Some(ms) = self.integer(&at("TimeoutInMillis"), leaf, warnings)?
        {
            let range = timeout_range_ms(kind);
            spec.timeout_ms = u64::try_from(ms).ok().filter(|ms| range.contains(ms));
            if spec.timeout_ms.is_none() {
                return Err(self.error(
                    leaf,
                    format!(
                        "`{}` {ms} is outside API Gateway's range of {} to {} milliseconds",
                        at("TimeoutInMillis"),
                        range.start(),
                        range.end()
                    ),
                ));
            }
        }
        if let Some(leaf) = &p.payload_format_version
            && let Some(version) = self.string(&at("PayloadFormatVersion"), leaf, warnings)?
        {
            if version != "1.0" && version != "2.0" {
                return Err(self.error(
                    leaf,
                    format!(
                        "`{}` `{version}` is not 1.0 or 2.0",
                        at("PayloadFormatVersion")
                    ),
                ));
            }
            spec.payload_format = Some(version);
        }
        let api = match (kind, &p.rest_api_id, &p.api_id) {
            (ApiKind::Rest, Some(leaf), _) => Some(self.api(&at("RestApiId"), leaf, kind)?),
            (ApiKind::Http, _, Some(leaf)) => Some(self.api(&at("ApiId"), leaf, kind)?),
            _ => None,
        };
        Ok(Route { spec, api })
    }

    /// The logical id of the API of `kind` that `leaf` refers to with `!Ref`.
    fn api(&self, property: &str, leaf: &Spanned<Leaf>, kind: ApiKind) -> Result<String> {
        let resource_type = match kind {
            ApiKind::Rest => REST_API,
            ApiKind::Http => HTTP_API,
        };
        match &leaf.value {
            Leaf::Intrinsic(Intrinsic::Ref(id)) if self.apis.get(id) == Some(&kind) => {
                Ok(id.clone())
            }
            Leaf::Intrinsic(Intrinsic::Ref(id)) => Err(self.error(
                leaf,
                format!("`{property}` refers to `{id}`, which is not an `{resource_type}` resource of the template"),
            )),
            _ => Err(self.error(
                leaf,
                format!("`{property}` must be `!Ref` of an `{resource_type}` resource of the template"),
            )),
        }
    }
}
