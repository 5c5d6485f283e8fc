//! Changes to operations: routes, parameters, bodies, responses, security,
//! paging, filters and sorters.

use super::*;

/// Security requirement atoms: `(scheme, None)` for the scheme itself and
/// `(scheme, Some(scope))` per scope.
pub(super) type Atoms = BTreeSet<(String, Option<String>)>;

pub(super) fn security_alternatives(sec: &[Vec<(String, Vec<String>)>]) -> Vec<Atoms> {
    if sec.is_empty() {
        return vec![Atoms::new()];
    }
    sec.iter()
        .map(|alt| {
            let mut a = Atoms::new();
            for (scheme, scopes) in alt {
                a.insert((scheme.clone(), None));
                for s in scopes {
                    a.insert((scheme.clone(), Some(s.clone())));
                }
            }
            a
        })
        .collect()
}

pub(super) fn security_text(sec: &[Vec<(String, Vec<String>)>]) -> String {
    if sec.is_empty() {
        return "none".into();
    }
    sec.iter()
        .map(|alt| {
            if alt.is_empty() {
                return "anonymous".to_string();
            }
            alt.iter()
                .map(|(s, scopes)| {
                    if scopes.is_empty() {
                        format!("`{s}`")
                    } else {
                        format!(
                            "`{s}` ({})",
                            scopes
                                .iter()
                                .map(|x| format!("`{x}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                })
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

pub(super) fn param_label(p: &Param, spec_name: &str, op: Op<'_>) -> String {
    format!(
        "{} parameter `{}` (Rust `{}`) of {}",
        location(p.location),
        spec_name,
        p.name.rust,
        op.label()
    )
}

pub(super) fn location(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

impl<'a> Differ<'a> {
    // ---- Operations ----

    pub(super) fn operations(&mut self) {
        let old: Vec<Op<'a>> = self
            .old
            .operations()
            .map(|(tag, op)| Op { tag, op })
            .collect();
        let new: Vec<Op<'a>> = self
            .new
            .operations()
            .map(|(tag, op)| Op { tag, op })
            .collect();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut old_matched = vec![false; old.len()];
        let mut new_matched = vec![false; new.len()];
        for (i, old_op) in old.iter().enumerate() {
            if let Some(j) = new
                .iter()
                .position(|new_op| new_op.op.id.wire == old_op.op.id.wire)
            {
                pairs.push((i, j));
                old_matched[i] = true;
                new_matched[j] = true;
            }
        }
        // An unmatched pair at the same method and route is a renamed operationId.
        for (i, old_op) in old.iter().enumerate() {
            if old_matched[i] {
                continue;
            }
            let route = (old_op.op.method, normalize_path(&old_op.op.path));
            if let Some(j) = (0..new.len()).find(|&j| {
                !new_matched[j] && (new[j].op.method, normalize_path(&new[j].op.path)) == route
            }) {
                pairs.push((i, j));
                old_matched[i] = true;
                new_matched[j] = true;
            }
        }
        pairs.sort();
        for (i, j) in pairs {
            self.operation(old[i], new[j]);
        }
        for old_op in old
            .iter()
            .enumerate()
            .filter(|(i, _)| !old_matched[*i])
            .map(|(_, old_op)| old_op)
        {
            self.push(
                Kind::OperationRemoved,
                sev(true, true),
                &old_op.op.pointer,
                format!("Operation {} removed: {}.", old_op.label(), old_op.route()),
            );
        }
        for new_op in new
            .iter()
            .enumerate()
            .filter(|(j, _)| !new_matched[*j])
            .map(|(_, new_op)| new_op)
        {
            self.push(
                Kind::OperationAdded,
                sev(false, false),
                &new_op.op.pointer,
                format!("Operation {} added: {}.", new_op.label(), new_op.route()),
            );
        }
    }

    pub(super) fn operation(&mut self, old: Op<'a>, new: Op<'a>) {
        let ptr = new.op.pointer.as_str();
        if old.op.id.wire != new.op.id.wire {
            self.push(
                Kind::OperationRenamed,
                sev(true, false),
                ptr,
                format!(
                    "Operation {} renamed to {}; the route {} is unchanged and the operationId is not sent.",
                    old.label(),
                    new.label(),
                    new.route()
                ),
            );
        } else if (&old.tag.handle, &old.op.id.rust, &old.op.type_name)
            != (&new.tag.handle, &new.op.id.rust, &new.op.type_name)
        {
            self.push(
                Kind::OperationMoved,
                sev(true, false),
                ptr,
                format!(
                    "Rust names of operation `{}` changed: `{}::{}` (builder `{}`) → `{}::{}` (builder `{}`).",
                    new.op.id.wire, old.tag.handle, old.op.id.rust, old.op.type_name, new.tag.handle, new.op.id.rust, new.op.type_name
                ),
            );
        }
        if old.op.method != new.op.method {
            self.push(
                Kind::MethodChanged,
                sev(false, true),
                ptr,
                format!(
                    "HTTP method of {} changed: `{}` → `{}`.",
                    new.label(),
                    old.op.method.as_str(),
                    new.op.method.as_str()
                ),
            );
        }
        if normalize_path(&old.op.path) != normalize_path(&new.op.path) {
            self.push(
                Kind::PathChanged,
                sev(false, true),
                ptr,
                format!(
                    "Path of {} changed: `{}` → `{}`.",
                    new.label(),
                    old.op.path,
                    new.op.path
                ),
            );
        }
        if old.op.experimental != new.op.experimental {
            let (s, text) = if new.op.experimental {
                (
                    sev(true, true),
                    "became experimental: the SDK refuses the call unless the client opted in (and then sends the spec's experimental header, if it names one)",
                )
            } else {
                (sev(false, false), "is no longer experimental")
            };
            self.push(
                Kind::ExperimentalChanged,
                s,
                ptr,
                format!("Operation {} {text}.", new.label()),
            );
        }
        if old.op.deprecated != new.op.deprecated {
            let text = if new.op.deprecated {
                "deprecated (the method gets `#[deprecated]`)"
            } else {
                "no longer deprecated"
            };
            self.push(
                Kind::DeprecatedChanged,
                sev(false, false),
                ptr,
                format!("Operation {} is {text}.", new.label()),
            );
        }
        if old.op.summary != new.op.summary {
            self.push(
                Kind::OperationDocsChanged,
                docs(),
                ptr,
                format!("Summary of {} changed.", new.label()),
            );
        }
        if old.op.description != new.op.description {
            self.push(
                Kind::OperationDocsChanged,
                docs(),
                ptr,
                format!("Description of {} changed.", new.label()),
            );
        }
        self.params(old, new);
        self.body(old, new);
        self.responses(old, new);
        self.security(old, new);
        self.list_options(old, new);
    }

    pub(super) fn spec_name<'p>(&'p self, old_side: bool, p: &'p Param) -> &'p str {
        let names = if old_side {
            &self.old_names
        } else {
            &self.new_names
        };
        names
            .get(&p.pointer)
            .map_or(p.name.wire.as_str(), String::as_str)
    }

    pub(super) fn params(&mut self, old: Op<'a>, new: Op<'a>) {
        let path = |op: &'a Operation| {
            op.params
                .iter()
                .filter(|p| p.location == ParamLocation::Path)
                .collect::<Vec<_>>()
        };
        let (old_path, new_path) = (path(old.op), path(new.op));
        for i in 0..old_path.len().max(new_path.len()) {
            match (old_path.get(i), new_path.get(i)) {
                (Some(old_param), Some(new_param)) => self.param(new, old_param, new_param),
                (Some(old_param), None) => self.param_removed(old, old_param),
                (None, Some(new_param)) => self.param_added(new, new_param),
                (None, None) => {}
            }
        }
        let rest = |op: &'a Operation| {
            op.params
                .iter()
                .filter(|p| p.location != ParamLocation::Path)
                .collect::<Vec<_>>()
        };
        let (old_rest, new_rest) = (rest(old.op), rest(new.op));
        for old_param in &old_rest {
            match new_rest.iter().find(|new_param| {
                new_param.location == old_param.location
                    && new_param.name.wire == old_param.name.wire
            }) {
                Some(new_param) => self.param(new, old_param, new_param),
                None => self.param_removed(old, old_param),
            }
        }
        for new_param in &new_rest {
            if !old_rest.iter().any(|old_param| {
                old_param.location == new_param.location
                    && old_param.name.wire == new_param.name.wire
            }) {
                self.param_added(new, new_param);
            }
        }
    }

    pub(super) fn param_removed(&mut self, op: Op<'a>, p: &Param) {
        let what = if p.required {
            "an argument of the method"
        } else {
            "a builder setter"
        };
        self.push(
            Kind::ParameterRemoved,
            sev(true, false),
            &p.pointer,
            format!(
                "{} removed (it was {what}).",
                capitalize(&param_label(p, self.spec_name(true, p), op))
            ),
        );
    }

    pub(super) fn param_added(&mut self, op: Op<'a>, p: &Param) {
        let label = capitalize(&param_label(p, self.spec_name(false, p), op));
        let (s, text) = if p.required {
            (
                sev(true, true),
                "required: a new argument of the method, and old clients do not send it",
            )
        } else {
            (sev(false, false), "optional: a new builder setter")
        };
        self.push(
            Kind::ParameterAdded,
            s,
            &p.pointer,
            format!("{label} added, {text}."),
        );
    }

    pub(super) fn param(&mut self, op: Op<'a>, old: &Param, new: &Param) {
        let ptr = new.pointer.as_str();
        let (old_name, new_name) = (
            self.spec_name(true, old).to_string(),
            self.spec_name(false, new).to_string(),
        );
        let label = param_label(new, &new_name, op);
        if old_name != new_name || old.name.rust != new.name.rust {
            // Path parameters are positional in the URL and in the method's
            // arguments; only a setter's name is API.
            let sdk = !old.required && !new.required && old.name.rust != new.name.rust;
            let mut details = Vec::new();
            if old_name != old.name.wire {
                details.push(format!(
                    "the old spec named it `{old_name}` but the path template says `{{{}}}`; the generator already used `{}`",
                    old.name.wire, old.name.wire
                ));
            }
            self.push_details(
                Kind::ParameterRenamed,
                sev(sdk, false),
                ptr,
                format!(
                    "{} parameter `{old_name}` (Rust `{}`) of {} renamed to `{new_name}` (Rust `{}`){}.",
                    capitalize(location(new.location)),
                    old.name.rust,
                    op.label(),
                    new.name.rust,
                    if new.location == ParamLocation::Path {
                        " at the same position"
                    } else {
                        ""
                    },
                ),
                details,
            );
        }
        if old.required != new.required {
            let (s, text) = if new.required {
                (sev(true, true), "optional → required: the setter becomes an argument of the method, and old clients may omit it")
            } else {
                (
                    sev(true, false),
                    "required → optional: the argument becomes a builder setter",
                )
            };
            self.push(
                Kind::ParameterRequiredChanged,
                s,
                ptr,
                format!("{} changed from {text}.", capitalize(&label)),
            );
        }
        if old.ty != new.ty {
            let mut details = Vec::new();
            // Parameters are text on the wire: a `String` takes any scalar.
            if !param_text_accepts(&new.ty, &old.ty) {
                self.shape(
                    &old.ty,
                    &new.ty,
                    Usage::REQUEST,
                    &new_name,
                    &mut details,
                    &mut BTreeSet::new(),
                );
            }
            let wire = !details.is_empty();
            let details = explain(details, &new_name);
            self.push_details(
                Kind::ParameterTypeChanged,
                sev(true, wire),
                ptr,
                format!(
                    "Type of {label} changed: `{}` → `{}`.",
                    rust_ty(&old.ty),
                    rust_ty(&new.ty)
                ),
                details,
            );
        }
        if old.default != new.default {
            self.push(
                Kind::ParameterDefaultChanged,
                sev(false, false),
                ptr,
                format!(
                    "Default of {label} changed: {} → {} (the server applies it when the parameter is not sent).",
                    json_opt(&old.default),
                    json_opt(&new.default)
                ),
            );
        }
        if (old.minimum, old.maximum) != (new.minimum, new.maximum) {
            let tighter_min = match (old.minimum, new.minimum) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(old_v), Some(new_v)) => new_v > old_v,
            };
            let tighter_max = match (old.maximum, new.maximum) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(old_v), Some(new_v)) => new_v < old_v,
            };
            let wire = tighter_min || tighter_max;
            let why = if wire {
                "tighter: old clients may send values the server now rejects"
            } else {
                "looser"
            };
            self.push(
                Kind::ParameterLimitsChanged,
                sev(false, wire),
                ptr,
                format!(
                    "Limits of {label} changed: `{}` → `{}` ({why}).",
                    limits(old.minimum, old.maximum),
                    limits(new.minimum, new.maximum)
                ),
            );
        }
        if old.explode != new.explode {
            let text = |e: bool| if e { "repeated keys" } else { "comma-joined" };
            self.push(
                Kind::ParameterStyleChanged,
                sev(false, true),
                ptr,
                format!(
                    "Arrays in {label} are now sent as {} instead of {}.",
                    text(new.explode),
                    text(old.explode)
                ),
            );
        }
        if old.deprecated != new.deprecated {
            let text = if new.deprecated {
                "deprecated"
            } else {
                "no longer deprecated"
            };
            self.push(
                Kind::DeprecatedChanged,
                sev(false, false),
                ptr,
                format!("{} is {text}.", capitalize(&label)),
            );
        }
        if old.description != new.description {
            self.push(
                Kind::ParameterDocsChanged,
                docs(),
                ptr,
                format!("Description of {label} changed."),
            );
        }
    }

    pub(super) fn body(&mut self, old: Op<'a>, new: Op<'a>) {
        match (&old.op.body, &new.op.body) {
            (None, None) => {}
            (Some(old_body), None) => self.push(
                Kind::RequestBodyRemoved,
                sev(true, false),
                &old_body.pointer,
                format!(
                    "Request body (`{}`) of {} removed.",
                    rust_ty(&old_body.ty),
                    old.label()
                ),
            ),
            (None, Some(new_body)) => {
                let (s, text) = if new_body.required {
                    (
                        sev(true, true),
                        "required: a new `body` argument, and old clients do not send it",
                    )
                } else {
                    (sev(false, false), "optional: a new `body` setter")
                };
                self.push(
                    Kind::RequestBodyAdded,
                    s,
                    &new_body.pointer,
                    format!(
                        "Request body (`{}`, `{}`) of {} added, {text}.",
                        rust_ty(&new_body.ty),
                        new_body.media_type,
                        new.label()
                    ),
                );
            }
            (Some(old_body), Some(new_body)) => {
                let ptr = new_body.pointer.as_str();
                let label = format!("request body of {}", new.label());
                if old_body.required != new_body.required {
                    let (s, text) = if new_body.required {
                        (sev(true, true), "optional → required: the `body` setter becomes an argument, and old clients may omit it")
                    } else {
                        (
                            sev(true, false),
                            "required → optional: the `body` argument becomes a setter",
                        )
                    };
                    self.push(
                        Kind::RequestBodyRequiredChanged,
                        s,
                        ptr,
                        format!("{} changed from {text}.", capitalize(&label)),
                    );
                }
                if old_body.media_type != new_body.media_type {
                    let accepted = new_body.media_type == old_body.media_type
                        || new_body.other_media_types.contains(&old_body.media_type);
                    let why = if accepted {
                        format!("the old `{}` is still accepted", old_body.media_type)
                    } else {
                        format!("old clients send `{}`", old_body.media_type)
                    };
                    self.push(
                        Kind::RequestMediaTypeChanged,
                        sev(false, !accepted),
                        ptr,
                        format!(
                            "Media type of the {label} changed: `{}` → `{}` ({why}).",
                            old_body.media_type, new_body.media_type
                        ),
                    );
                }
                if old_body.ty != new_body.ty {
                    let mut details = Vec::new();
                    self.shape(
                        &old_body.ty,
                        &new_body.ty,
                        Usage::REQUEST,
                        "body",
                        &mut details,
                        &mut BTreeSet::new(),
                    );
                    let wire = !details.is_empty();
                    let mut details = explain(details, "body");
                    if !wire {
                        details.push("same shape on the wire".into());
                    }
                    self.push_details(
                        Kind::RequestSchemaReplaced,
                        sev(true, wire),
                        ptr,
                        format!(
                            "Schema of the {label} replaced: `{}` → `{}`.",
                            rust_ty(&old_body.ty),
                            rust_ty(&new_body.ty)
                        ),
                        details,
                    );
                }
                if old_body.description != new_body.description {
                    self.push(
                        Kind::RequestBodyDocsChanged,
                        docs(),
                        ptr,
                        format!("Description of the {label} changed."),
                    );
                }
            }
        }
    }

    pub(super) fn responses(&mut self, old: Op<'a>, new: Op<'a>) {
        let success_sig = |op: &Operation| -> String {
            let ok = op.successes();
            if op.has_success_enum() {
                op.success_type()
            } else {
                ok.first()
                    .map_or("Bytes".to_string(), |r| response_body_ty(&r.body))
            }
        };
        let (old_sig, new_sig) = (success_sig(old.op), success_sig(new.op));
        let ret_changed = old_sig != new_sig;
        let err = |op: &Operation| op.error_type();
        for old_response in &old.op.responses {
            match new
                .op
                .responses
                .iter()
                .find(|new_response| new_response.status == old_response.status)
            {
                Some(new_response) => self.response(new, old_response, new_response),
                None => {
                    let (s, text) = if old_response.status.is_success() {
                        if ret_changed {
                            (
                                sev(true, false),
                                format!("the return type changes: `{old_sig}` → `{new_sig}`"),
                            )
                        } else if old_sig.ends_with("Success") {
                            (
                                sev(true, false),
                                format!("variant `{old_sig}::{}` removed", old_response.variant),
                            )
                        } else {
                            (
                                sev(false, false),
                                "the return type is unchanged".to_string(),
                            )
                        }
                    } else {
                        (
                            sev(true, false),
                            format!(
                                "variant `{}::{}` removed",
                                err(old.op),
                                old_response.variant
                            ),
                        )
                    };
                    self.push(
                        Kind::StatusRemoved,
                        s,
                        &old_response.pointer,
                        format!(
                            "Status {} of {} removed: {text}.",
                            old_response.status,
                            old.label()
                        ),
                    );
                }
            }
        }
        for new_response in &new.op.responses {
            if old
                .op
                .responses
                .iter()
                .any(|old_response| old_response.status == new_response.status)
            {
                continue;
            }
            let (s, text) = if new_response.status.is_success() {
                let sdk = ret_changed;
                let ret = if sdk {
                    format!("the return type changes: `{old_sig}` → `{new_sig}`; ")
                } else if new_sig.ends_with("Success") {
                    format!("variant `{new_sig}::{}` added; ", new_response.variant)
                } else {
                    String::new()
                };
                (
                    sev(sdk, true),
                    format!("{ret}old clients report it as an unexpected status"),
                )
            } else {
                (
                    sev(false, false),
                    format!("variant `{}::{}` added", err(new.op), new_response.variant),
                )
            };
            self.push(
                Kind::StatusAdded,
                s,
                &new_response.pointer,
                format!(
                    "Status {} of {} added: {text}.",
                    new_response.status,
                    new.label()
                ),
            );
        }
    }

    pub(super) fn response(&mut self, op: Op<'a>, old: &Response, new: &Response) {
        let ptr = new.pointer.as_str();
        let label = format!("status {} response of {}", new.status, op.label());
        let same_kind = std::mem::discriminant(&old.body) == std::mem::discriminant(&new.body);
        let (old_media, new_media) = (response_media(&old.body), response_media(&new.body));
        if old_media != new_media || !same_kind {
            let json = |r: &ResponseBody| matches!(r, ResponseBody::Json { .. });
            let sdk = response_body_ty(&old.body) != response_body_ty(&new.body)
                && !(json(&old.body) && json(&new.body));
            let wire = !(json(&old.body) && json(&new.body));
            self.push(
                Kind::ResponseMediaTypeChanged,
                sev(sdk, wire),
                ptr,
                format!(
                    "Body of the {label} changed: `{old_media}` (`{}`) → `{new_media}` (`{}`).",
                    response_body_ty(&old.body),
                    response_body_ty(&new.body)
                ),
            );
        }
        if let (ResponseBody::Json { ty: old_ty, .. }, ResponseBody::Json { ty: new_ty, .. }) =
            (&old.body, &new.body)
        {
            if old_ty != new_ty {
                let mut details = Vec::new();
                self.shape(
                    old_ty,
                    new_ty,
                    Usage::RESPONSE,
                    "body",
                    &mut details,
                    &mut BTreeSet::new(),
                );
                let wire = !details.is_empty();
                let mut details = explain(details, "body");
                if !wire {
                    details.push("same shape on the wire".into());
                }
                self.push_details(
                    Kind::ResponseSchemaReplaced,
                    sev(true, wire),
                    ptr,
                    format!(
                        "Schema of the {label} replaced: `{}` → `{}`.",
                        rust_ty(old_ty),
                        rust_ty(new_ty)
                    ),
                    details,
                );
            }
        }
        match (&old.multi_status, &new.multi_status) {
            (None, None) => {}
            (Some(o), Some(n)) => {
                // Same type either way; which fields are read is behaviour.
                let parts: Vec<String> = [
                    ("id", Some(&o.id), Some(&n.id)),
                    ("status", Some(&o.status), Some(&n.status)),
                    ("message", o.message.as_ref(), n.message.as_ref()),
                ]
                .into_iter()
                .filter(|(_, a, b)| a.map(|p| &p.pointer) != b.map(|p| &p.pointer))
                .map(|(key, a, b)| {
                    let show = |p: Option<&ItemPath>| {
                        p.map_or("none".to_string(), |p| format!("`{}`", p.pointer))
                    };
                    format!("`{key}` {} → {}", show(a), show(b))
                })
                .collect();
                if !parts.is_empty() {
                    self.push(
                        Kind::MultiStatusChanged,
                        sev(false, false),
                        ptr,
                        format!(
                            "Per-item results of the {label} are read elsewhere: {}.",
                            parts.join(", ")
                        ),
                    );
                }
            }
            (_, n) => {
                let show = |r: &Response| match r.multi_status_item() {
                    Some(item) => format!("MultiStatus<{item}>"),
                    None => response_body_ty(&r.body),
                };
                let what = if n.is_some() {
                    "now answers per item (`x-sdk-multi-status`)"
                } else {
                    "no longer answers per item"
                };
                self.push(
                    Kind::MultiStatusChanged,
                    sev(true, false),
                    ptr,
                    format!(
                        "The {label} {what}: `send` returns `{}` instead of `{}`.",
                        show(new),
                        show(old)
                    ),
                );
            }
        }
        if old.headers != new.headers {
            let removed: Vec<String> = old
                .headers
                .iter()
                .filter(|h| !new.headers.contains(h))
                .map(|h| format!("`{}`", h.wire))
                .collect();
            let added: Vec<String> = new
                .headers
                .iter()
                .filter(|h| !old.headers.contains(h))
                .map(|h| format!("`{}`", h.wire))
                .collect();
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("added {}", added.join(", ")));
            }
            if !removed.is_empty() {
                parts.push(format!("removed {}", removed.join(", ")));
            }
            self.push(
                Kind::ResponseHeadersChanged,
                sev(false, !removed.is_empty()),
                ptr,
                format!("Headers of the {label}: {}.", parts.join("; ")),
            );
        }
        if old.description != new.description {
            self.push(
                Kind::ResponseDocsChanged,
                docs(),
                ptr,
                format!("Description of the {label} changed."),
            );
        }
    }

    pub(super) fn security(&mut self, old: Op<'a>, new: Op<'a>) {
        if old.op.security == new.op.security {
            return;
        }
        let (old_alts, new_alts) = (
            security_alternatives(&old.op.security),
            security_alternatives(&new.op.security),
        );
        // A client that met an old alternative still gets in if some new
        // alternative asks for no more than that.
        let wire = old_alts
            .iter()
            .any(|old_alt| !new_alts.iter().any(|new_alt| new_alt.is_subset(old_alt)));
        let all = |alts: &[Atoms]| alts.iter().flatten().cloned().collect::<Atoms>();
        let (old_atoms, new_atoms) = (all(&old_alts), all(&new_alts));
        let atom = |(s, scope): &(String, Option<String>)| match scope {
            Some(x) => format!("scope `{x}` of `{s}`"),
            None => format!("scheme `{s}`"),
        };
        let mut details: Vec<String> = new_atoms
            .difference(&old_atoms)
            .map(|x| format!("added {}", atom(x)))
            .collect();
        details.extend(
            old_atoms
                .difference(&new_atoms)
                .map(|x| format!("removed {}", atom(x))),
        );
        if wire {
            details.push("old clients' credentials may no longer be enough".into());
        }
        self.push_details(
            Kind::SecurityChanged,
            sev(false, wire),
            &format!("{}/security", new.op.pointer),
            format!(
                "Security of {} changed: {} → {}.",
                new.label(),
                security_text(&old.op.security),
                security_text(&new.op.security)
            ),
            details,
        );
    }

    /// What a list operation offers besides its parameters: paging (`stream()`,
    /// page size), the typed filter fields and operators, the sort fields.
    pub(super) fn list_options(&mut self, old: Op<'a>, new: Op<'a>) {
        let ptr = new.op.pointer.as_str();
        match (&old.op.pagination, &new.op.pagination) {
            (None, Some(_)) => self.push(
                Kind::PaginationChanged,
                sev(false, false),
                ptr,
                format!(
                    "{} now pages: the builder gets `stream()` and `max_items`.",
                    capitalize(&new.label())
                ),
            ),
            (Some(_), None) => self.push(
                Kind::PaginationChanged,
                sev(true, false),
                ptr,
                format!(
                    "{} no longer pages: the builder loses `stream()` and `max_items`.",
                    capitalize(&new.label())
                ),
            ),
            (Some(old_pg), Some(new_pg)) if old_pg.style_name() != new_pg.style_name() => {
                // Offset paging has `concurrency()`, cursor paging not: losing
                // it breaks code that calls it; `stream()` stays either way.
                let sdk = old_pg.offset().is_some() || old_pg.item != new_pg.item;
                self.push(
                    Kind::PaginationChanged,
                    sev(sdk, false),
                    ptr,
                    format!(
                        "{} now pages by {} instead of by {}{}.",
                        capitalize(&new.label()),
                        new_pg.style_name(),
                        old_pg.style_name(),
                        if old_pg.offset().is_some() {
                            ": the builder loses `concurrency()` (cursor pages come one at a time)"
                        } else {
                            ": the builder gains `concurrency()`"
                        }
                    ),
                );
            }
            (Some(old_pg), Some(new_pg)) => {
                let sdk = old_pg.item != new_pg.item;
                let opt = |v: Option<i64>| v.map_or("none".to_string(), |v| v.to_string());
                let mut parts = Vec::new();
                if old_pg.item != new_pg.item {
                    parts.push(format!(
                        "`stream()` item `{}` → `{}`",
                        rust_ty(&old_pg.item),
                        rust_ty(&new_pg.item)
                    ));
                }
                if old_pg.default_limit != new_pg.default_limit {
                    parts.push(format!(
                        "default `limit` {} → {}",
                        opt(old_pg.default_limit),
                        opt(new_pg.default_limit)
                    ));
                }
                if old_pg.max_limit != new_pg.max_limit {
                    parts.push(format!(
                        "maximum `limit` {} → {}",
                        opt(old_pg.max_limit),
                        opt(new_pg.max_limit)
                    ));
                }
                if let (Some(o), Some(n)) = (old_pg.cursor(), new_pg.cursor()) {
                    if o.from.pointer != n.from.pointer {
                        parts.push(format!(
                            "the next cursor is read from `{}` → `{}` of the last item",
                            o.from.pointer, n.from.pointer
                        ));
                    }
                }
                if old_pg.page_size != new_pg.page_size {
                    parts.push(format!(
                        "page size of `stream()` {} → {}",
                        old_pg.page_size, new_pg.page_size
                    ));
                }
                // A retyped or renamed `limit`/`offset` is a parameter
                // change, reported with the parameters.
                if !parts.is_empty() {
                    self.push(
                        Kind::PaginationChanged,
                        sev(sdk, false),
                        ptr,
                        format!("Paging of {} changed: {}.", new.label(), parts.join(", ")),
                    );
                }
            }
            _ => {}
        }
        match (&old.op.filters, &new.op.filters) {
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => {
                let (s, text) = if new.op.filters.is_some() {
                    (
                        "now documents",
                        "takes a typed `Filter` (the string setter becomes `filters_raw`)",
                    )
                } else {
                    ("no longer documents", "takes a string again")
                };
                self.push(
                    Kind::FiltersChanged,
                    sev(true, false),
                    ptr,
                    format!(
                        "{} {s} its filter fields: the `filters` setter {text}.",
                        capitalize(&new.label())
                    ),
                );
            }
            (Some(old_fields), Some(new_fields)) => {
                for old_field in old_fields {
                    match new_fields
                        .iter()
                        .find(|new_field| new_field.name.wire == old_field.name.wire)
                    {
                        None => self.push(
                            Kind::FiltersChanged,
                            sev(true, true),
                            ptr,
                            format!(
                                "Filter field `{}` (Rust `{}`) of {} removed.",
                                old_field.name.wire,
                                old_field.name.rust,
                                new.label()
                            ),
                        ),
                        Some(new_field) => {
                            let lost: Vec<&FilterOperator> = old_field
                                .operators
                                .iter()
                                .filter(|x| !new_field.operators.contains(x))
                                .collect();
                            let gained: Vec<&FilterOperator> = new_field
                                .operators
                                .iter()
                                .filter(|x| !old_field.operators.contains(x))
                                .collect();
                            if old_field.ty != new_field.ty
                                || !lost.is_empty()
                                || !gained.is_empty()
                                || old_field.name.rust != new_field.name.rust
                            {
                                let breaking = old_field.ty != new_field.ty || !lost.is_empty();
                                self.push(
                                    Kind::FiltersChanged,
                                    sev(breaking || old_field.name.rust != new_field.name.rust, breaking),
                                    ptr,
                                    format!(
                                        "Filter field `{}` (Rust `{}`) of {} changed: `{}` [{}] → `{}` [{}].",
                                        new_field.name.wire,
                                        new_field.name.rust,
                                        new.label(),
                                        old_field.ty,
                                        join(&old_field.operators),
                                        new_field.ty,
                                        join(&new_field.operators)
                                    ),
                                );
                            }
                        }
                    }
                }
                for new_field in new_fields.iter().filter(|new_field| {
                    !old_fields
                        .iter()
                        .any(|old_field| old_field.name.wire == new_field.name.wire)
                }) {
                    self.push(
                        Kind::FiltersChanged,
                        sev(false, false),
                        ptr,
                        format!(
                            "Filter field `{}` (Rust `{}`) of {} added.",
                            new_field.name.wire,
                            new_field.name.rust,
                            new.label()
                        ),
                    );
                }
            }
        }
        match (&old.op.sorters, &new.op.sorters) {
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => {
                let s = if new.op.sorters.is_some() {
                    "now documents"
                } else {
                    "no longer documents"
                };
                self.push(
                    Kind::SortersChanged,
                    sev(true, false),
                    ptr,
                    format!(
                        "{} {s} its sort fields: the `sorters` setter's argument type changes.",
                        capitalize(&new.label())
                    ),
                );
            }
            (Some(old_sorters), Some(new_sorters)) => {
                for old_sorter in old_sorters.iter().filter(|old_sorter| {
                    !new_sorters
                        .iter()
                        .any(|new_sorter| new_sorter.wire == old_sorter.wire)
                }) {
                    self.push(
                        Kind::SortersChanged,
                        sev(true, true),
                        ptr,
                        format!(
                            "Sort field `{}` (Rust `{}::{}`) of {} removed.",
                            old_sorter.wire,
                            new.op.sort_field_type(),
                            old_sorter.rust,
                            new.label()
                        ),
                    );
                }
                for new_sorter in new_sorters.iter().filter(|new_sorter| {
                    !old_sorters
                        .iter()
                        .any(|old_sorter| old_sorter.wire == new_sorter.wire)
                }) {
                    self.push(
                        Kind::SortersChanged,
                        sev(false, false),
                        ptr,
                        format!(
                            "Sort field `{}` (Rust `{}::{}`) of {} added.",
                            new_sorter.wire,
                            new.op.sort_field_type(),
                            new_sorter.rust,
                            new.label()
                        ),
                    );
                }
            }
        }
    }
}

/// `eq, ne, in`: operators as a report lists them.
fn join(operators: &[FilterOperator]) -> String {
    operators
        .iter()
        .map(|o| o.wire())
        .collect::<Vec<_>>()
        .join(", ")
}
