//! x-kubernetes-validations rules. Placeholder until the evaluator lands:
//! every rule is reported as skipped and never rejects an object.

use serde_json::Value;

use crate::Cause;
use crate::schema::Node;

#[derive(Debug, Clone)]
pub(crate) struct CelProgram;

#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum CompileError {
    #[error("CEL evaluation is not implemented yet")]
    NotImplemented,
}

pub(crate) fn compile(_rule: &str) -> Result<CelProgram, CompileError> {
    Err(CompileError::NotImplemented)
}

pub(crate) fn has_rules(n: &Node) -> bool {
    !n.validations.is_empty()
        || n.properties.iter().any(|(_, p)| has_rules(p))
        || n.additional_schema().is_some_and(has_rules)
        || n.items.as_deref().is_some_and(has_rules)
        || n.all_of.iter().any(has_rules)
}

pub(crate) fn validate_rules(_root: &Node, _obj: &Value) -> Vec<Cause> {
    Vec::new()
}
