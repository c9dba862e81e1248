//! Every op, fed oversized and malformed text and lists: `apply` refuses it as
//! `invalid_data`, naming the field, and the tablet's store is left as it was.
//!
//! The ops are random (`arbitrary`, seeded): every op type is drawn until each has been
//! tried many times, so an op added later is covered without a line here.
//! `HONGLING_LIMITS_SEED=N` replays one run.

use hongling_core::limits::{DEFAULT_ITEMS, LONG_CHARS};
use hongling_core::random::Rng;
use hongling_core::{Actor, Grant, Op, RejectCode, Role, Scope};
use hongling_sync::commit_local;
use hongling_sync::memory::{MemoryStore, block_on};
use serde_json::Value;

/// The op types of `hongling_core::Op` today (a new one is drawn like the others).
const OP_TYPES: usize = 39;

/// JSON pointers to every string and every array in `value`, with the field they sit in.
fn leaves(value: &Value, path: &str, field: &str, out: &mut Vec<(String, String, bool)>) {
    match value {
        Value::String(_) => out.push((path.to_owned(), field.to_owned(), false)),
        Value::Array(items) => {
            out.push((path.to_owned(), field.to_owned(), true));
            for (i, item) in items.iter().enumerate() {
                leaves(item, &format!("{path}/{i}"), field, out);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                leaves(item, &format!("{path}/{key}"), key, out);
            }
        }
        _ => {}
    }
}

/// `op` made tame: random text becomes one character and lists keep one item, where the
/// op still reads back, so that the one value a check changes is the only one amiss.
fn tame(op: &Op) -> Option<Value> {
    let mut json = serde_json::to_value(op).ok()?;
    let mut found = Vec::new();
    leaves(&json, "", "", &mut found);
    // Longest pointers first: items before the lists that hold them.
    found.sort_by_key(|(pointer, _, _)| std::cmp::Reverse(pointer.len()));
    for (pointer, _, is_list) in found {
        let Some(old) = json.pointer(&pointer).cloned() else {
            continue;
        };
        let new = match &old {
            Value::Array(items) if is_list && items.len() > 1 => Value::Array(items[..1].to_vec()),
            Value::String(_) if !is_list => Value::String("甲".into()),
            _ => continue,
        };
        *json.pointer_mut(&pointer)? = new;
        if serde_json::from_value::<Op>(json.clone()).is_err() {
            *json.pointer_mut(&pointer)? = old;
        }
    }
    let op: Op = serde_json::from_value(json.clone()).ok()?;
    hongling_core::limits::check(&op).is_ok().then_some(json)
}

/// `op` with the value at `pointer` replaced, if it is still an op of that type.
fn with(op: &Value, pointer: &str, new: Value) -> Option<Op> {
    let mut changed = op.clone();
    *changed.pointer_mut(pointer)? = new;
    serde_json::from_value(changed).ok()
}

#[test]
fn every_op_refuses_oversized_and_malformed_text_and_lists_and_changes_nothing() {
    let seed = std::env::var("HONGLING_LIMITS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_204u64);
    println!("HONGLING_LIMITS_SEED={seed}");
    let mut rng = Rng::new(seed);
    let committee = Actor {
        account_id: uuid::Uuid::nil(),
        grants: vec![Grant {
            role: Role::DistrictCommittee,
            scope: Scope::District,
        }],
    };
    let store = MemoryStore::new();
    let mut tried = std::collections::BTreeMap::<&'static str, usize>::new();
    let mut checks = 0;
    let refuse = |op: Op, field: &str, what: &str| {
        let refusal = block_on(commit_local(
            &store,
            &committee,
            op.clone(),
            chrono::Utc::now(),
        ))
        .unwrap()
        .expect_err(&format!("{what} in `{field}` of {}", op.type_name()));
        assert_eq!(refusal.code, RejectCode::InvalidData, "{what}: {refusal:?}");
        assert_eq!(refusal.field.as_deref(), Some(field), "{what}: {refusal:?}");
        assert!(
            store.view().is_empty() && store.outbox().is_empty(),
            "{what}: nothing written"
        );
    };
    // Until every op type was drawn 30 times.
    for _ in 0..200_000 {
        let op = rng.op();
        let Some(json) = tame(&op) else {
            continue;
        };
        let count = tried.entry(op.type_name()).or_default();
        if *count >= 30 {
            if tried.len() >= OP_TYPES && tried.values().all(|n| *n >= 30) {
                break;
            }
            continue;
        }
        *count += 1;
        let mut found = Vec::new();
        leaves(&json, "", "", &mut found);
        for (pointer, field, is_list) in found {
            if pointer == "/type" || field.is_empty() {
                continue;
            }
            if is_list {
                let first = json.pointer(&pointer).and_then(|v| v.get(0)).cloned();
                if let Some(first) = first
                    && let Some(op) = with(
                        &json,
                        &pointer,
                        Value::Array(vec![first; DEFAULT_ITEMS + 1]),
                    )
                {
                    refuse(op, &field, "too many items");
                    checks += 1;
                }
                continue;
            }
            // Text past the longest any field allows, and a NUL in the middle of a name.
            if let Some(op) = with(&json, &pointer, Value::String("字".repeat(LONG_CHARS + 1))) {
                refuse(op, &field, "too long");
                checks += 1;
            }
            if let Some(op) = with(&json, &pointer, Value::String("张\u{0}红梅".into())) {
                refuse(op, &field, "a control character");
                checks += 1;
            }
        }
    }
    println!("{} op types, {checks} refusals checked", tried.len());
    assert!(
        tried.len() >= OP_TYPES,
        "only {} op types drawn: {tried:?}",
        tried.len()
    );
    assert!(checks > 1_000, "only {checks} checks");
}
