//! A template's APIs: `AWS::Serverless::Api` (REST) and `AWS::Serverless::HttpApi`
//! resources, and `Globals.Api` / `Globals.HttpApi`, which SAM applies to every API of its
//! kind, the implicit `ServerlessRestApi` / `ServerlessHttpApi` among them.
//!
//! The simulator serves one front door per kind: the routes of every API of a kind are served
//! together, with the settings of the first API a route uses (and a warning when they are
//! several). An API's own `StageName` and `Cors` win over the globals', `BinaryMediaTypes`
//! add to them.

use std::collections::BTreeMap;

use serde_saphyr::Spanned;

use super::context::Context;
use super::routes::Route;
use super::syntax::{HTTP_API, Properties, REST_API, Reader, Resource};
use crate::check::kind_name;
use crate::{ApiKind, ApiSettings, Project, Result};

/// The resource types read here (not warned about as "not simulated").
pub(super) const TYPES: [&str; 2] = [REST_API, HTTP_API];

/// `Globals.Api` and `Globals.HttpApi`.
#[derive(Default)]
pub(super) struct ApiGlobals {
    pub rest: Properties,
    pub http: Properties,
}

/// The template's APIs' kinds, by logical id.
pub(super) fn kinds(resources: &BTreeMap<String, Spanned<Resource>>) -> BTreeMap<String, ApiKind> {
    let mut kinds = BTreeMap::new();
    for (id, resource) in resources {
        match resource.value.r#type.as_str() {
            REST_API => kinds.insert(id.clone(), ApiKind::Rest),
            HTTP_API => kinds.insert(id.clone(), ApiKind::Http),
            _ => continue,
        };
    }
    kinds
}

/// The name SAM gives a kind's implicit API.
fn implicit(kind: ApiKind) -> &'static str {
    match kind {
        ApiKind::Rest => "ServerlessRestApi",
        ApiKind::Http => "ServerlessHttpApi",
    }
}

/// Sets `project.routes` and `project.apis` from the routes read and the template's APIs.
pub(super) fn settle(
    routes: Vec<Route>,
    resources: &BTreeMap<String, Spanned<Resource>>,
    globals: &ApiGlobals,
    context: &Context<'_>,
    project: &mut Project,
) -> Result<()> {
    let warnings = &mut project.warnings;
    let mut own = read(resources, context, warnings)?;
    for kind in [ApiKind::Rest, ApiKind::Http] {
        let (properties, section) = match kind {
            ApiKind::Rest => (&globals.rest, "Globals.Api"),
            ApiKind::Http => (&globals.http, "Globals.HttpApi"),
        };
        let context = Context {
            kind: "section",
            logical_id: section,
            ..*context
        };
        let global = context.api_settings(properties, kind, warnings)?;
        let served = served(kind, &routes, &context, warnings);
        let own = served.and_then(|id| own.remove(id)).unwrap_or_default();
        let mut binary_media_types = global.binary_media_types;
        binary_media_types.extend(own.binary_media_types);
        let settings = ApiSettings {
            binary_media_types,
            cors: own.cors.or(global.cors),
            stage: own.stage.or(global.stage).or_else(|| {
                Some(match kind {
                    ApiKind::Rest => "Prod".to_owned(),
                    ApiKind::Http => "$default".to_owned(),
                })
            }),
        };
        match kind {
            ApiKind::Rest => project.apis.rest = settings,
            ApiKind::Http => project.apis.http = settings,
        }
    }
    project.routes = routes.into_iter().map(|route| route.spec).collect();
    Ok(())
}

/// Every API resource's own settings, by logical id (each warned about what it does not read).
fn read<'a>(
    resources: &'a BTreeMap<String, Spanned<Resource>>,
    context: &Context<'_>,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<&'a str, ApiSettings>> {
    let mut own = BTreeMap::new();
    let empty = Properties::default();
    for (id, resource) in resources {
        let Some(&kind) = context.apis.get(id) else {
            continue;
        };
        let context = Context {
            kind: match kind {
                ApiKind::Rest => "REST API",
                ApiKind::Http => "HTTP API",
            },
            logical_id: id,
            ..*context
        };
        let properties = resource.value.properties.as_ref().unwrap_or(&empty);
        own.insert(
            id.as_str(),
            context.api_settings(properties, kind, warnings)?,
        );
        for key in properties.unread(reader(kind)) {
            warnings
                .push(context.warning(None, format!("property `{key}` ignored: not simulated")));
        }
    }
    Ok(own)
}

/// The API of `kind` whose settings the front door takes: the first one a route uses (`None`
/// for SAM's implicit API), else the template's first; with a warning when routes use several.
fn served<'a>(
    kind: ApiKind,
    routes: &'a [Route],
    context: &Context<'a>,
    warnings: &mut Vec<String>,
) -> Option<&'a str> {
    let mut used: Vec<Option<&str>> = Vec::new();
    for route in routes.iter().filter(|r| r.spec.api == kind) {
        let api = route.api.as_deref();
        if !used.contains(&api) {
            used.push(api);
        }
    }
    if used.len() > 1 {
        let names: Vec<String> = used
            .iter()
            .map(|api| format!("`{}`", api.unwrap_or(implicit(kind))))
            .collect();
        warnings.push(format!(
            "{}: the {} APIs {} are served together on one front door, with the settings of {}",
            context.file,
            kind_name(kind),
            names.join(", "),
            names[0]
        ));
    }
    match used.first() {
        Some(api) => *api,
        None => context
            .apis
            .iter()
            .find(|(_, k)| **k == kind)
            .map(|(id, _)| id.as_str()),
    }
}

/// Who reads an API of `kind`'s properties.
pub(super) fn reader(kind: ApiKind) -> Reader {
    match kind {
        ApiKind::Rest => Reader::RestApi,
        ApiKind::Http => Reader::HttpApi,
    }
}

impl Context<'_> {
    /// What `kind`'s API reads of `properties`: `StageName`, and `BinaryMediaTypes` (`~1` is
    /// `/`) and `Cors` for a REST API, `CorsConfiguration` for an HTTP API.
    fn api_settings(
        &self,
        properties: &Properties,
        kind: ApiKind,
        warnings: &mut Vec<String>,
    ) -> Result<ApiSettings> {
        let mut settings = ApiSettings {
            stage: self.optional_string("StageName", properties.stage_name.as_ref(), warnings)?,
            ..ApiSettings::default()
        };
        if kind == ApiKind::Http {
            if let Some(cors) = &properties.cors_configuration {
                settings.cors = self.http_cors("CorsConfiguration", cors, warnings)?;
            }
            return Ok(settings);
        }
        for leaf in properties.binary_media_types.iter().flatten() {
            if let Some(media_type) = self.string("BinaryMediaTypes", leaf, warnings)? {
                settings
                    .binary_media_types
                    .push(media_type.replace("~1", "/"));
            }
        }
        if let Some(cors) = &properties.cors {
            settings.cors = self.rest_cors("Cors", cors, warnings)?;
        }
        Ok(settings)
    }
}
