//! AWS SAM `template.yaml`: the `AWS::Serverless::Function` resources of a template, with
//! `Globals.Function` merged as SAM merges it, and the streams, queues and delivery streams
//! they read and write, into the same [`Project`] as `lambda-sim.toml`.
//!
//! The text is deserialised once (`syntax.rs`). What the simulator cannot honour is named in
//! [`Project::warnings`], never dropped silently: unknown properties, IAM policies, event
//! sources, intrinsic functions it cannot resolve. `!Ref` to a template parameter takes the
//! parameter's `Default`; `!Sub` replaces parameters and the pseudo parameters `AWS::Region`,
//! `AWS::AccountId`, `AWS::StackName` (`intrinsics.rs`).

use std::path::Path;

use lambda_sim_runtime::FunctionConfig;

use crate::{Error, Project, Result};

mod context;
mod events;
mod function;
mod intrinsics;
mod resources;
mod syntax;
#[cfg(test)]
mod tests;

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
    let globals = globals(template.globals, file, &mut project.warnings);
    let names = resources::names(&template.resources);
    let context = Context {
        file,
        kind: "",
        logical_id: "",
        resolver: &resolver,
        sources: &names,
    };
    resources::read(&template.resources, &context, &mut project)?;
    for (logical_id, resource) in &template.resources {
        let line = resource.referenced.line();
        let resource = &resource.value;
        if resource.r#type != FUNCTION {
            if !resources::TYPES.contains(&resource.r#type.as_str()) {
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
        let function = context.function(
            properties,
            base,
            &mut project.mappings,
            &mut project.warnings,
        )?;
        project.functions.push(function);
    }
    project
        .check_event_sources()
        .map_err(|err| err.in_file(file))?;
    if project.functions.is_empty() {
        return Err(Error::InvalidConfig(format!(
            "{file}: the template has no `{FUNCTION}` resource"
        )));
    }
    Ok(project)
}

/// `Globals.Function`, with a warning for every other section and every property a function
/// does not read.
fn globals(globals: Option<syntax::Globals>, file: &str, warnings: &mut Vec<String>) -> Properties {
    let Some(globals) = globals else {
        return Properties::default();
    };
    for key in globals.other.keys() {
        warnings.push(format!(
            "{file}: `Globals.{key}` is not simulated (only `Globals.Function` is read)"
        ));
    }
    let function = globals.function.unwrap_or_default();
    for key in function.unread(Reader::Function) {
        warnings.push(format!(
            "{file}: `Globals.Function.{key}` is not simulated (ignored)"
        ));
    }
    function
}
