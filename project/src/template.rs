//! AWS SAM `template.yaml`: the `AWS::Serverless::Function` resources of a template, with
//! `Globals.Function` merged as SAM merges it, and the streams, queues and delivery streams
//! they read and write, into the same [`Project`] as `lambda-sim.toml`.
//!
//! The HTTP front door comes from functions' `Api` and `HttpApi` events and `FunctionUrlConfig`,
//! with the settings of the `AWS::Serverless::Api` / `HttpApi` they use (or `Globals.Api` /
//! `Globals.HttpApi` for SAM's implicit API): `routes.rs`, `function_url.rs`, `apis.rs`.
//!
//! The text is deserialised once (`syntax.rs`). What the simulator cannot honour is named in
//! [`Project::warnings`], never dropped silently: unknown properties, IAM policies, event
//! sources, intrinsic functions it cannot resolve. `!Ref` to a template parameter takes the
//! parameter's `Default`; `!Sub` replaces parameters and the pseudo parameters `AWS::Region`,
//! `AWS::AccountId`, `AWS::StackName` (`intrinsics.rs`).

use std::path::Path;

use lambda_sim_runtime::FunctionConfig;

use crate::{Error, Project, Result};

mod apis;
mod context;
mod cors;
mod events;
mod function;
mod function_url;
#[cfg(test)]
mod http_tests;
mod intrinsics;
mod resources;
mod routes;
mod syntax;
#[cfg(test)]
mod tests;

use apis::ApiGlobals;
use context::Context;
use function::Merged;
use intrinsics::Resolver;
use syntax::{FUNCTION, Properties, Reader};

/// Reads a template's text; relative `CodeUri`s are resolved against `base`. `file` names
/// the template in messages.
pub(crate) fn parse(text: &str, base: &Path, file: &str) -> Result<Project> {
    let template = syntax::read(text, file)?;
    let defaults = FunctionConfig::default();
    let resolver = Resolver::new(
        &template.parameters,
        defaults.region.clone(),
        defaults.account_id.clone(),
    );
    let mut project = Project::default();
    let (globals, api_globals) = globals(template.globals, file, &mut project.warnings);
    let names = resources::names(&template.resources);
    let api_kinds = apis::kinds(&template.resources);
    let context = Context {
        file,
        kind: "",
        logical_id: "",
        resolver: &resolver,
        sources: &names,
        apis: &api_kinds,
    };
    resources::read(&template.resources, &context, &mut project)?;
    let mut routes = Vec::new();
    for (logical_id, resource) in &template.resources {
        let line = resource.referenced.line();
        let resource = &resource.value;
        if resource.r#type != FUNCTION {
            let r#type = resource.r#type.as_str();
            if !resources::TYPES.contains(&r#type) && !apis::TYPES.contains(&r#type) {
                project.warnings.push(format!(
                    "{file}:{line}: resource `{logical_id}` of type `{}` is not simulated (ignored)",
                    resource.r#type
                ));
            }
            continue;
        }
        let context = Context {
            kind: "function",
            logical_id,
            ..context
        };
        let empty = Properties::default();
        let properties = Merged {
            own: resource.properties.as_ref().unwrap_or(&empty),
            globals: &globals,
        };
        let function = context.function(properties, base, &mut project, &mut routes)?;
        project.functions.push(function);
    }
    apis::settle(
        routes,
        &template.resources,
        &api_globals,
        &context,
        &mut project,
    )?;
    project
        .check_event_sources()
        .and_then(|()| project.check_http())
        .map_err(|err| err.in_file(file))?;
    if project.functions.is_empty() {
        return Err(Error::InvalidConfig(format!(
            "{file}: the template has no `{FUNCTION}` resource"
        )));
    }
    Ok(project)
}

/// `Globals.Function`, `Globals.Api` and `Globals.HttpApi`, with a warning for every other
/// section and every property they do not read.
fn globals(
    globals: Option<syntax::Globals>,
    file: &str,
    warnings: &mut Vec<String>,
) -> (Properties, ApiGlobals) {
    let Some(globals) = globals else {
        return (Properties::default(), ApiGlobals::default());
    };
    for key in globals.other.keys() {
        warnings.push(format!(
            "{file}: `Globals.{key}` is not simulated (only `Globals.Function`, `Globals.Api` and `Globals.HttpApi` are read)"
        ));
    }
    let function = globals.function.unwrap_or_default();
    let api = ApiGlobals {
        rest: globals.api.unwrap_or_default(),
        http: globals.http_api.unwrap_or_default(),
    };
    let sections = [
        ("Function", &function, Reader::Function),
        ("Api", &api.rest, Reader::RestApi),
        ("HttpApi", &api.http, Reader::HttpApi),
    ];
    for (section, properties, reader) in sections {
        for key in properties.unread(reader) {
            warnings.push(format!(
                "{file}: `Globals.{section}.{key}` is not simulated (ignored)"
            ));
        }
    }
    for key in function
        .function_url_config
        .iter()
        .flat_map(|url| url.value.other.keys())
    {
        warnings.push(format!(
            "{file}: `Globals.Function.FunctionUrlConfig.{key}` is not simulated (ignored)"
        ));
    }
    (function, api)
}
