//! What server-side apply needs to know about a type: which lists are atomic, sets or maps (and
//! their keys), which maps and structs are atomic, which object keys are named struct fields.

use serde_json::Value;

use crate::builtin::{self, FieldInfo, Ssa, Ty};

/// How the items of a list are identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ListKind {
    Atomic,
    Set,
    /// Key field names with their schema defaults (used when an item omits a key).
    Map(Vec<(String, Option<Value>)>),
}

/// A node of an OpenAPI v3 (structural) schema, reduced to what apply needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct SchemaNode {
    properties: Vec<(String, SchemaNode)>,
    additional: Option<Box<SchemaNode>>,
    items: Option<Box<SchemaNode>>,
    list: Option<ListKind>,
    atomic: bool,
    default: Option<Value>,
    /// x-kubernetes-preserve-unknown-fields or no type information at all.
    deduced: bool,
}

impl SchemaNode {
    fn from_openapi(v: &Value, depth: usize) -> SchemaNode {
        let mut node = SchemaNode::default();
        let Value::Object(m) = v else {
            node.deduced = true;
            return node;
        };
        if depth > crate::MAX_DEPTH {
            node.deduced = true;
            return node;
        }
        node.default = m.get("default").cloned();
        if let Some(Value::Object(props)) = m.get("properties") {
            node.properties = props
                .iter()
                .map(|(k, v)| (k.clone(), SchemaNode::from_openapi(v, depth + 1)))
                .collect();
        }
        match m.get("additionalProperties") {
            Some(v @ Value::Object(_)) => {
                node.additional = Some(Box::new(SchemaNode::from_openapi(v, depth + 1)))
            }
            Some(Value::Bool(true)) => {
                node.additional = Some(Box::new(SchemaNode {
                    deduced: true,
                    ..SchemaNode::default()
                }))
            }
            _ => {}
        }
        if let Some(items) = m.get("items") {
            node.items = Some(Box::new(SchemaNode::from_openapi(items, depth + 1)));
        }
        // allOf/anyOf/oneOf may carry structure in non-structural positions; apply only needs
        // the list and map markers, which structural schemas keep at this level.
        let list_type = m.get("x-kubernetes-list-type").and_then(Value::as_str);
        node.list = match list_type {
            Some("set") => Some(ListKind::Set),
            Some("map") => {
                let keys: Vec<String> = m
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|k| k.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                let keyed = keys
                    .into_iter()
                    .map(|k| {
                        let def = node
                            .items
                            .as_ref()
                            .and_then(|i| i.property(&k))
                            .and_then(|p| p.default.clone());
                        (k, def)
                    })
                    .collect();
                Some(ListKind::Map(keyed))
            }
            _ => Some(ListKind::Atomic),
        };
        node.atomic = matches!(
            m.get("x-kubernetes-map-type").and_then(Value::as_str),
            Some("atomic")
        );
        let untyped = m.get("type").is_none() && node.properties.is_empty() && node.items.is_none();
        let preserve = m
            .get("x-kubernetes-preserve-unknown-fields")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        node.deduced = untyped || (preserve && node.properties.is_empty());
        if preserve && node.additional.is_none() {
            node.additional = Some(Box::new(SchemaNode {
                deduced: true,
                ..SchemaNode::default()
            }));
        }
        node
    }

    fn property(&self, name: &str) -> Option<&SchemaNode> {
        self.properties
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Builtin(Ty),
    Schema,
}

/// Structure of list fields, from an OpenAPI v3 schema (x-kubernetes-list-type / -list-map-keys
/// / -map-type) or from the built-in kinds' known structure.
#[derive(Debug, Clone)]
pub struct TypeInfo {
    root: Root,
    schema: SchemaNode,
    status_subresource: bool,
    kind: Option<(String, String)>,
}

impl Default for TypeInfo {
    /// No schema at all: every object granular (keys are map items), every list atomic, as the
    /// apiserver treats a custom resource without a structural schema.
    fn default() -> TypeInfo {
        TypeInfo {
            root: Root::Schema,
            schema: SchemaNode {
                deduced: true,
                ..SchemaNode::default()
            },
            status_subresource: false,
            kind: None,
        }
    }
}

impl TypeInfo {
    /// From a CRD version's openAPIV3Schema. `metadata` follows ObjectMeta's built-in structure.
    pub fn from_openapi_v3(schema: &Value) -> TypeInfo {
        TypeInfo {
            root: Root::Schema,
            schema: SchemaNode::from_openapi(schema, 0),
            status_subresource: false,
            kind: None,
        }
    }

    /// The known structure of a built-in kind; lists not described are atomic.
    pub fn builtin(group: &str, _version: &str, kind: &str) -> TypeInfo {
        let ty = builtin::root(group, kind).unwrap_or(Ty::Root(builtin::RootKind::Generic));
        TypeInfo {
            root: Root::Builtin(ty),
            schema: SchemaNode::default(),
            status_subresource: builtin::has_status_subresource(group, kind),
            kind: Some((group.to_string(), kind.to_string())),
        }
    }

    /// Whether the kind serves a status subresource: then `status` is not owned through the main
    /// resource, and only `status` is owned through the subresource. Built-in kinds know this;
    /// for custom resources pass the CRD's `subresources.status` presence.
    pub fn with_status_subresource(mut self, enabled: bool) -> TypeInfo {
        self.status_subresource = enabled;
        self
    }

    pub(crate) fn status_subresource(&self) -> bool {
        self.status_subresource
    }

    pub(crate) fn builtin_kind(&self) -> Option<(&str, &str)> {
        self.kind.as_ref().map(|(g, k)| (g.as_str(), k.as_str()))
    }

    pub(crate) fn root_shape(&self) -> Shape<'_> {
        match self.root {
            Root::Builtin(ty) => Shape::Builtin(FieldInfo {
                ty,
                smp: builtin::Smp::Default,
                ssa: Ssa::Default,
            }),
            Root::Schema => Shape::SchemaRoot(&self.schema),
        }
    }
}

/// The type of the value at some position.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape<'a> {
    Builtin(FieldInfo),
    /// The top of a custom resource: `metadata` is ObjectMeta whatever the schema says.
    SchemaRoot(&'a SchemaNode),
    Node(&'a SchemaNode),
    /// No schema: maps granular with every key a map item, lists atomic.
    Deduced,
}

impl<'a> Shape<'a> {
    /// Whether this object or list is owned as a whole.
    pub fn atomic(&self) -> bool {
        match self {
            Shape::Builtin(fi) => fi.ssa == Ssa::Atomic,
            Shape::Node(n) => n.atomic && !n.deduced,
            Shape::SchemaRoot(_) | Shape::Deduced => false,
        }
    }

    pub fn list_kind(&self) -> ListKind {
        match self {
            Shape::Builtin(fi) => match fi.ssa {
                Ssa::Set => ListKind::Set,
                Ssa::Map(keys) => ListKind::Map(
                    keys.iter()
                        .map(|k| (k.to_string(), builtin::key_default(k)))
                        .collect(),
                ),
                _ => ListKind::Atomic,
            },
            Shape::Node(n) if n.deduced => ListKind::Atomic,
            Shape::Node(n) => n.list.clone().unwrap_or(ListKind::Atomic),
            Shape::SchemaRoot(_) | Shape::Deduced => ListKind::Atomic,
        }
    }

    /// Type of field `name` of this object, and whether it is a named (struct) field.
    pub fn field(&self, name: &str) -> (Shape<'a>, bool) {
        match self {
            Shape::Builtin(fi) => {
                let child = builtin::field(fi.ty, name);
                (Shape::Builtin(child), true)
            }
            Shape::SchemaRoot(n) => match name {
                "metadata" => (object_meta_shape(), true),
                _ => Shape::Node(n).field(name),
            },
            Shape::Node(n) => {
                if let Some(p) = n.property(name) {
                    (Shape::Node(p), true)
                } else {
                    match &n.additional {
                        Some(a) if a.deduced => (Shape::Deduced, false),
                        Some(a) => (Shape::Node(a), false),
                        None => (Shape::Deduced, false),
                    }
                }
            }
            Shape::Deduced => (Shape::Deduced, false),
        }
    }

    /// Type of the items of this list.
    pub fn elem(&self) -> Shape<'a> {
        match self {
            Shape::Builtin(fi) => Shape::Builtin(FieldInfo {
                ty: fi.ty,
                smp: builtin::Smp::Default,
                ssa: if fi.ty == Ty::AtomicStruct {
                    Ssa::Atomic
                } else {
                    Ssa::Default
                },
            }),
            Shape::Node(n) => match &n.items {
                Some(i) if !i.deduced => Shape::Node(i),
                _ => Shape::Deduced,
            },
            Shape::SchemaRoot(_) | Shape::Deduced => Shape::Deduced,
        }
    }
}

/// The shape of `metadata` in every object (custom resources included).
pub(crate) fn object_meta_shape() -> Shape<'static> {
    Shape::Builtin(FieldInfo {
        ty: Ty::ObjectMeta,
        smp: builtin::Smp::Default,
        ssa: Ssa::Default,
    })
}
