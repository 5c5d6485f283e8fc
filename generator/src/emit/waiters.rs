//! Waiters (`x-sdk-waiter`): per waiter, an entry method on the status
//! operation's tag handle, its builder (`timeout`, `initial_delay`,
//! `max_delay`, `on_unknown_status`, `with_options`, `send`), and its section
//! of the method page.
//! The polling loop itself is the runtime's (`runtime/waiter.rs`).

use super::docs::doc_attrs_raw;
use super::types::{ident, rust_type};
use crate::ir::*;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The waiters whose status operation is in `tag`.
fn of_tag<'a>(api: &'a Api, tag: &'a Tag) -> impl Iterator<Item = &'a Waiter> {
    api.waiters
        .iter()
        .filter(move |w| w.status.tag.rust == tag.name.rust)
}

/// The items of `tag`'s module for its waiters: an `impl` of the handle with
/// the entry methods, then each builder.
pub(super) fn tag_items(api: &Api, tag: &Tag, krate: &str) -> TokenStream {
    let waiters: Vec<&Waiter> = of_tag(api, tag).collect();
    if waiters.is_empty() {
        return TokenStream::new();
    }
    let handle = ident(&tag.handle);
    let methods = waiters.iter().map(|w| entry_method(api, w, krate));
    let builders = waiters.iter().map(|w| builder(w));
    quote! {
        impl #handle {
            #(#methods)*
        }
        #(#builders)*
    }
}

fn state_list(states: &[String]) -> String {
    states
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn secs(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{} s", ms as f64 / 1000.0)
    }
}

/// What the waiter does, in prose shared by the rustdoc and the page.
fn description(w: &Waiter, link: impl Fn(&OperationRef) -> String) -> String {
    let mut out = format!(
        "Starts the work with {}, then polls {} until its status is {} (success){}.",
        link(&w.start),
        link(&w.status),
        state_list(&w.success),
        if w.failure.is_empty() {
            String::new()
        } else {
            format!(" or {} (failure)", state_list(&w.failure))
        }
    );
    out.push_str(&format!(
        "\n\nThe first wait between polls is {}, doubling up to {} with jitter; the whole wait, \
         start included, gives up after {} by default (`.timeout(..)`). Every call goes through \
         the client, so it is retried and rate-limited like any other (a `429` waits for \
         `Retry-After`).",
        secs(w.initial_delay_ms),
        secs(w.max_delay_ms),
        secs(w.timeout_ms)
    ));
    if !w.pending.is_empty() {
        out.push_str(&format!(
            " It polls again while the status is {} (pending).",
            state_list(&w.pending)
        ));
    }
    out.push_str(
        "\n\n`send` returns `WaitOutcome::Succeeded(status)` or `WaitOutcome::Failed(status)` \
         with the last status body. It fails with `WaitError::Timeout { last_status, last_state, .. }` \
         when the deadline passes first, and `WaitError::Start` or `WaitError::Poll` with the call's \
         `Error`. A status in none of these lists (a state added to the API later) is logged once \
         at WARN and polled through until the deadline, whose error names it; \
         `.on_unknown_status(OnUnknownStatus::Stop)` ends the wait at once instead, with \
         `WaitError::UnknownStatus(status)`.",
    );
    out
}

/// The example shared by the rustdoc and the page.
pub(super) fn example(w: &Waiter, krate: &str) -> String {
    let args: Vec<String> = w
        .args
        .iter()
        .map(|a| match a.ty {
            TypeRef::Bool => "true".to_string(),
            TypeRef::I32 | TypeRef::I64 => "1".to_string(),
            TypeRef::F64 => "1.0".to_string(),
            _ => "\"2c9180835d2e5168015d32f890ca1581\"".to_string(),
        })
        .collect();
    let module = w.status.tag.rust.trim_start_matches("r#");
    format!(
        "use std::time::Duration;\n\
         use {krate}::{{Client, WaitError, WaitOutcome}};\n\
         \n\
         async fn example(client: &Client) -> Result<(), Box<dyn std::error::Error>> {{\n    \
             let waited = client\n        \
                 .{module}()\n        \
                 .{method}({args})\n        \
                 .timeout(Duration::from_secs(600))\n        \
                 .send()\n        \
                 .await;\n    \
             match waited {{\n        \
                 Ok(WaitOutcome::Succeeded(status)) => println!(\"done: {{status:?}}\"),\n        \
                 Ok(WaitOutcome::Failed(status)) => println!(\"failed: {{status:?}}\"),\n        \
                 Err(WaitError::Timeout {{ last_status, .. }}) => {{\n            \
                     println!(\"still running after 10 minutes: {{last_status:?}}\")\n        \
                 }}\n        \
                 Err(other) => return Err(other.into()),\n    \
             }}\n    \
             Ok(())\n\
         }}\n",
        method = w.name.rust.trim_start_matches("r#"),
        args = args.join(", "),
    )
}

fn entry_method(api: &Api, w: &Waiter, krate: &str) -> TokenStream {
    let rust_link = |o: &OperationRef| {
        let module = o.tag.rust.trim_start_matches("r#");
        let method = o.id.rust.trim_start_matches("r#");
        match api.tags.iter().find(|t| t.name.rust == o.tag.rust) {
            Some(t) => format!("[`{method}`](crate::{module}::{}::{method})", t.handle),
            None => format!("`{method}`"),
        }
    };
    let docs = doc_attrs_raw(&format!(
        "Waits for the work started by `{}` to end (`x-sdk-waiter` `{}`).\n\n{}\n\n# Example\n\n```no_run\n{}```",
        w.start.id.wire,
        w.name.wire,
        description(w, rust_link),
        example(w, krate)
    ));
    let name = ident(&w.name.rust);
    let builder = ident(&w.type_name);
    let args = w.args.iter().map(|a| {
        let id = ident(&a.name.rust);
        let t = match a.ty {
            TypeRef::String => quote!(impl ::std::convert::Into<::std::string::String>),
            ref other => rust_type(other),
        };
        quote!(#id: #t)
    });
    let converts = w.args.iter().filter(|a| a.ty == TypeRef::String).map(|a| {
        let id = ident(&a.name.rust);
        quote!(let #id: ::std::string::String = #id.into();)
    });
    let start_module = ident(&w.start.tag.rust);
    let start_method = ident(&w.start.id.rust);
    let status_module = ident(&w.status.tag.rust);
    let status_method = ident(&w.status.id.rust);
    let start_args = w.args.iter().map(|a| {
        let id = ident(&a.name.rust);
        quote!(#id.clone())
    });
    let status_args = w.status_args.iter().map(|&i| {
        let id = ident(&w.args[i].name.rust);
        quote!(#id.clone())
    });
    let initial = Literal::u64_unsuffixed(w.initial_delay_ms);
    let max = Literal::u64_unsuffixed(w.max_delay_ms);
    let timeout = Literal::u64_unsuffixed(w.timeout_ms);
    quote! {
        #docs
        pub fn #name(&self, #(#args),*) -> #builder {
            #(#converts)*
            #builder {
                start: self.client.#start_module().#start_method(#(#start_args),*),
                status: self.client.#status_module().#status_method(#(#status_args),*),
                bounds: crate::runtime::waiter::WaitBounds {
                    initial_delay: ::std::time::Duration::from_millis(#initial),
                    max_delay: ::std::time::Duration::from_millis(#max),
                    timeout: ::std::time::Duration::from_millis(#timeout),
                    on_unknown: crate::OnUnknownStatus::KeepWaiting,
                },
            }
        }
    }
}

/// The expression of type `Option<&str>` that reads the status value from
/// `status`, following `w.status_field`.
fn status_value(w: &Waiter) -> TokenStream {
    enum Expr {
        /// A place of the value itself.
        Place(TokenStream),
        /// An `Option<&T>`.
        Opt(TokenStream),
    }
    let mut expr = Expr::Place(quote!(status));
    for step in &w.status_field {
        let f = ident(&step.field.rust);
        expr = match (expr, step.optional) {
            (Expr::Place(p), false) => Expr::Place(quote!(#p.#f)),
            (Expr::Place(p), true) => Expr::Opt(quote!(#p.#f.as_ref())),
            (Expr::Opt(e), false) => Expr::Opt(quote!(#e.map(|v| &v.#f))),
            (Expr::Opt(e), true) => Expr::Opt(quote!(#e.and_then(|v| v.#f.as_ref()))),
        };
    }
    match expr {
        Expr::Place(p) => quote!(::std::option::Option::Some(#p.as_str())),
        Expr::Opt(e) => {
            if w.status_enum.is_none() {
                quote!(#e.map(::std::string::String::as_str))
            } else {
                quote!(#e.map(|v| v.as_str()))
            }
        }
    }
}

fn builder(w: &Waiter) -> TokenStream {
    let name = ident(&w.type_name);
    let start_module = ident(&w.start.tag.rust);
    let start_builder = ident(&w.start.builder);
    let start_error = ident(&w.start.error_type);
    let status_module = ident(&w.status.tag.rust);
    let status_builder = ident(&w.status.builder);
    let status_error = ident(&w.status.error_type);
    let status_ty = rust_type(&w.status_type);
    let value = status_value(w);
    let lits = |states: &[String]| {
        let lits: Vec<Literal> = states.iter().map(|s| Literal::string(s)).collect();
        quote!(#(#lits)|*)
    };
    let mut arms = vec![];
    let success = lits(&w.success);
    arms.push(
        quote!(::std::option::Option::Some(#success) => crate::runtime::waiter::Phase::Succeeded,),
    );
    if !w.failure.is_empty() {
        let failure = lits(&w.failure);
        arms.push(
            quote!(::std::option::Option::Some(#failure) => crate::runtime::waiter::Phase::Failed,),
        );
    }
    if !w.pending.is_empty() {
        let pending = lits(&w.pending);
        arms.push(quote!(::std::option::Option::Some(#pending) => crate::runtime::waiter::Phase::Pending,));
    }
    let doc = format!(
        " The `{}` waiter: starts `{}`, then waits for its end; set bounds, then `.send().await`.",
        w.name.wire, w.start.id.wire
    );
    let timeout_doc = format!(
        " The total deadline, start included (default {}).",
        secs(w.timeout_ms)
    );
    let initial_doc = format!(
        " The first wait between two polls (default {}); it doubles after each poll.",
        secs(w.initial_delay_ms)
    );
    let max_doc = format!(
        " The longest wait between two polls (default {}).",
        secs(w.max_delay_ms)
    );
    let result = quote! {
        ::std::result::Result<
            crate::WaitOutcome<#status_ty>,
            crate::WaitError<#status_ty, crate::#start_module::#start_error, crate::#status_module::#status_error>,
        >
    };
    quote! {
        #[doc = #doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone)]
        pub struct #name {
            start: crate::#start_module::#start_builder,
            status: crate::#status_module::#status_builder,
            bounds: crate::runtime::waiter::WaitBounds,
        }

        impl #name {
            #[doc = #timeout_doc]
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.bounds.timeout = timeout;
                self
            }

            #[doc = #initial_doc]
            pub fn initial_delay(mut self, delay: ::std::time::Duration) -> Self {
                self.bounds.initial_delay = delay;
                self
            }

            #[doc = #max_doc]
            pub fn max_delay(mut self, delay: ::std::time::Duration) -> Self {
                self.bounds.max_delay = delay;
                self
            }

            /// What to do when a poll returns a status this SDK does not know
            /// (by default, log it once at WARN and poll on until the deadline;
            /// [`OnUnknownStatus::Stop`](crate::OnUnknownStatus::Stop) ends the
            /// wait at once with [`WaitError::UnknownStatus`](crate::WaitError::UnknownStatus)).
            pub fn on_unknown_status(mut self, on_unknown: crate::OnUnknownStatus) -> Self {
                self.bounds.on_unknown = on_unknown;
                self
            }

            /// Settings for the start call and every status poll (see
            /// [`CallOptions`](crate::CallOptions)).
            pub fn with_options(mut self, options: crate::CallOptions) -> Self {
                self.start = self.start.with_options(options.clone());
                self.status = self.status.with_options(options);
                self
            }

            /// Starts the work, then polls until a terminal state, an
            /// error or the deadline (or an unknown state, if set to stop).
            pub async fn send(self) -> #result {
                let started = ::tokio::time::Instant::now();
                let Self { start, status, bounds } = self;
                match ::tokio::time::timeout_at(started + bounds.timeout, start.send()).await {
                    ::std::result::Result::Ok(result) => {
                        result.map_err(crate::WaitError::Start)?;
                    }
                    ::std::result::Result::Err(_) => {
                        return ::std::result::Result::Err(crate::WaitError::Timeout {
                            last_status: ::std::option::Option::None,
                            last_state: ::std::option::Option::None,
                            last_state_unknown: false,
                            elapsed: started.elapsed(),
                        });
                    }
                }
                crate::runtime::waiter::wait(
                    started,
                    bounds,
                    || {
                        let poll = status.clone();
                        async move { poll.send().await.map(crate::Response::into_body) }
                    },
                    Self::phase,
                )
                .await
            }

            /// What the waiter makes of one status, and the status value.
            fn phase(
                status: &#status_ty,
            ) -> (crate::runtime::waiter::Phase, ::std::option::Option<&str>) {
                let value = #value;
                let phase = match value {
                    #(#arms)*
                    _ => crate::runtime::waiter::Phase::Unknown,
                };
                (phase, value)
            }
        }

        impl ::std::future::IntoFuture for #name {
            type Output = #result;
            type IntoFuture = ::std::pin::Pin<
                ::std::boxed::Box<dyn ::std::future::Future<Output = Self::Output> + ::std::marker::Send>,
            >;

            /// The same as [`send`](Self::send).
            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    }
}

/// The rows of the page's method table for `tag`'s waiters.
pub(super) fn page_rows(api: &Api, tag: &Tag) -> String {
    of_tag(api, tag)
        .map(|w| {
            let name = w.name.rust.trim_start_matches("r#");
            format!(
                "| [`{name}`](#{name}) | `{}`, then `{}` until done | Waiter: start, then wait for {} or {} |\n",
                w.start.id.rust.trim_start_matches("r#"),
                w.status.id.rust.trim_start_matches("r#"),
                state_list(&w.success),
                if w.failure.is_empty() { "a failure".to_string() } else { state_list(&w.failure) },
            )
        })
        .collect()
}

/// The page sections of `tag`'s waiters.
pub(super) fn page_sections(api: &Api, tag: &Tag, krate: &str) -> String {
    let mut out = String::new();
    for w in of_tag(api, tag) {
        let name = w.name.rust.trim_start_matches("r#");
        let link = |o: &OperationRef| {
            let method = o.id.rust.trim_start_matches("r#");
            if o.tag.rust == tag.name.rust {
                format!("[`{method}`](#{method})")
            } else {
                format!("`{method}`")
            }
        };
        out.push_str(&format!(
            "\n## {name}\n\nA waiter (`x-sdk-waiter` `{}`); builder `{}`, with `timeout`, \
             `initial_delay`, `max_delay`, `on_unknown_status` and `with_options`.\n\n{}\n\n",
            w.name.wire,
            w.type_name,
            description(w, link)
        ));
        out.push_str("### Example\n\n```rust,no_run\n");
        out.push_str(&example(w, krate));
        out.push_str("```\n");
    }
    out
}
