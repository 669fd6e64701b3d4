//! Model-id mapping over the full embedded catalogs: counts, known pairs, false pairs,
//! overrides, decorations and round trips (spec `routing.md` §2).

use std::collections::HashMap;

use serde_json::Value;
use vercel_ai_gateway::catalog::{Catalog, Gateway};
use vercel_ai_gateway::routing::mapping::{MapStats, MatchKind, ModelMap, Sort};

fn catalogs() -> (&'static Catalog, &'static Catalog) {
    (Catalog::embedded(Gateway::OpenRouter).unwrap(), Catalog::embedded(Gateway::Vercel).unwrap())
}

fn map() -> ModelMap {
    let (openrouter, vercel) = catalogs();
    ModelMap::build(openrouter, vercel, &[])
}

fn overrides(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[test]
fn counts_over_the_embedded_catalogs() {
    let map = map();
    let stats = map.stats();
    println!("mapping counts: {stats}");
    for (from, to, kind) in map.pairs() {
        if kind == MatchKind::Rule {
            println!("  rule {from} → {to}: {}", map.to_vercel(&from).reason);
        }
    }
    assert_eq!(stats, MapStats { exact: 103, prefix: 31, rule: 26, overrides: 0, unmatched: 204 });
    assert_eq!(stats.total(), 364);
    assert_eq!(stats.mapped(), 160);
}

#[test]
fn every_mapped_pair_is_a_real_id_in_both_catalogs() {
    let (openrouter, vercel) = catalogs();
    let map = map();
    for id in openrouter.ids() {
        let mapping = map.to_vercel(id);
        assert_eq!(mapping.from, id);
        match &mapping.to {
            Some(to) => {
                assert!(vercel.contains(to), "{id} → {to} is not a Vercel id");
                assert_ne!(mapping.kind, MatchKind::Unmatched);
            }
            None => assert_eq!(mapping.kind, MatchKind::Unmatched, "{id}"),
        }
        assert!(!mapping.reason.is_empty(), "{id} has no reason");
    }
    for id in vercel.ids() {
        let mapping = map.to_openrouter(id);
        if let Some(to) = &mapping.to {
            assert!(openrouter.contains(to), "{id} → {to} is not an OpenRouter id");
            assert!(!to.contains(':'), "{id} → {to}: a decorated id is never a reverse target");
        }
    }
    for (from, to, _) in map.pairs() {
        assert!(openrouter.contains(&from) && vercel.contains(&to), "{from} → {to}");
    }
}

#[test]
fn known_pairs_present_in_the_snapshots_map() {
    let map = map();
    let expected = [
        ("anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4.5", MatchKind::Exact),
        ("x-ai/grok-4.3", "xai/grok-4.3", MatchKind::Prefix),
        ("z-ai/glm-5.1", "zai/glm-5.1", MatchKind::Prefix),
        ("mistralai/mistral-nemo", "mistral/mistral-nemo", MatchKind::Prefix),
        ("bytedance-seed/seed-1.6", "bytedance/seed-1.6", MatchKind::Prefix),
        ("meta-llama/llama-4-scout", "meta/llama-4-scout", MatchKind::Prefix),
        ("qwen/qwen3-max", "alibaba/qwen3-max", MatchKind::Prefix),
        ("qwen/qwen3-coder-plus", "alibaba/qwen3-coder-plus", MatchKind::Prefix),
        ("qwen/qwen3-14b", "alibaba/qwen-3-14b", MatchKind::Rule),
        ("qwen/qwen3-32b", "alibaba/qwen-3-32b", MatchKind::Rule),
        ("qwen/qwen3-30b-a3b", "alibaba/qwen-3-30b", MatchKind::Rule),
        ("qwen/qwen3-coder-30b-a3b-instruct", "alibaba/qwen3-coder-30b-a3b", MatchKind::Rule),
        ("meta-llama/llama-3.3-70b-instruct", "meta/llama-3.3-70b", MatchKind::Rule),
        ("meta-llama/llama-3.2-11b-vision-instruct", "meta/llama-3.2-11b", MatchKind::Rule),
        ("amazon/nova-pro-v1", "amazon/nova-pro", MatchKind::Rule),
        ("amazon/nova-lite-v1", "amazon/nova-lite", MatchKind::Rule),
        ("amazon/nova-2-lite-v1", "amazon/nova-2-lite", MatchKind::Rule),
        ("google/gemini-3-flash-preview", "google/gemini-3-flash", MatchKind::Rule),
        ("mistralai/codestral-2508", "mistral/codestral", MatchKind::Rule),
        ("mistralai/pixtral-large-2411", "mistral/pixtral-large", MatchKind::Rule),
        ("mistralai/mistral-medium-3-5", "mistral/mistral-medium-3.5", MatchKind::Rule),
        ("mistralai/mistral-medium-3.1", "mistral/mistral-medium", MatchKind::Rule),
        ("x-ai/grok-4.1-fast", "xai/grok-4.1-fast-reasoning", MatchKind::Rule),
        ("x-ai/grok-4.20", "xai/grok-4.20-reasoning", MatchKind::Rule),
        ("deepseek/deepseek-chat-v3.1", "deepseek/deepseek-v3.1", MatchKind::Rule),
        ("deepseek/deepseek-chat-v3-0324", "deepseek/deepseek-v3", MatchKind::Rule),
    ];
    for (from, to, kind) in expected {
        let mapping = map.to_vercel(from);
        assert_eq!((mapping.to.as_deref(), mapping.kind), (Some(to), kind), "{from}: {}", mapping.reason);
    }
}

#[test]
fn known_pairs_missing_from_the_snapshots_stay_unmatched() {
    // Spec §2.2 pairs whose Vercel side this snapshot lacks (or holds a different model under).
    let (_, vercel) = catalogs();
    let map = map();
    for (from, absent) in [
        ("x-ai/grok-code-fast-1", "xai/grok-code-fast-1"),
        ("x-ai/grok-4-fast", "xai/grok-4-fast-reasoning"),
        ("mistralai/devstral-2512", "mistral/devstral-2"),
        ("mistralai/mistral-large-2512", "mistral/mistral-large-3"),
    ] {
        let mapping = map.to_vercel(from);
        assert_eq!(mapping.kind, MatchKind::Unmatched, "{from}");
        assert_eq!(mapping.to, None);
        // The renamed ones exist on Vercel but no rule reaches them: an override does.
        if vercel.contains(absent) {
            assert!(absent.ends_with("devstral-2") || absent.ends_with("mistral-large-3"));
        }
    }
}

/// Spec §2.4's false pairs, and look-alikes found in these snapshots.
const FALSE_PAIRS: &[(&str, &str)] = &[
    ("deepseek/deepseek-r1-0528", "deepseek/deepseek-r1"),
    ("google/gemini-2.5-pro-preview-05-06", "google/gemini-2.5-pro"),
    ("google/gemini-2.5-pro-preview", "google/gemini-2.5-pro"),
    ("google/gemini-2.5-flash-lite-preview-09-2025", "google/gemini-2.5-flash-lite"),
    ("openai/gpt-4o-2024-05-13", "openai/gpt-4o"),
    ("openai/gpt-4o-2024-08-06", "openai/gpt-4o"),
    ("openai/gpt-4o-2024-11-20", "openai/gpt-4o"),
    ("openai/gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini"),
    ("openai/gpt-4-turbo-preview", "openai/gpt-4-turbo"),
    ("openai/gpt-3.5-turbo-0613", "openai/gpt-3.5-turbo"),
    ("moonshotai/kimi-k2-0905", "moonshotai/kimi-k2"),
    ("qwen/qwen3.5-plus-02-15", "alibaba/qwen3.5-plus"),
    ("qwen/qwen3.5-plus-20260420", "alibaba/qwen3.5-plus"),
    ("qwen/qwen3.5-flash-02-23", "alibaba/qwen3.5-flash"),
    ("qwen/qwen3-30b-a3b-instruct-2507", "alibaba/qwen-3-30b"),
    ("qwen/qwen3-30b-a3b-thinking-2507", "alibaba/qwen-3-30b"),
    // Vercel's qwen-3-235b is "Qwen3 235B A22B Instruct 2507", not the original release.
    ("qwen/qwen3-235b-a22b", "alibaba/qwen-3-235b"),
    // Vercel's ministral-3b/8b are the older generation ("Ministral 3B (latest)", 128k).
    ("mistralai/ministral-3b-2512", "mistral/ministral-3b"),
    ("mistralai/ministral-8b-2512", "mistral/ministral-8b"),
    ("mistralai/mistral-small-2603", "mistral/mistral-small"),
    ("mistralai/mistral-medium-3", "mistral/mistral-medium"),
    ("meta-llama/llama-3.2-1b-instruct", "meta/llama-3.2-1b"),
];

#[test]
fn false_pairs_are_not_produced() {
    let map = map();
    for (from, wrong) in FALSE_PAIRS {
        let mapping = map.to_vercel(from);
        assert_ne!(mapping.to.as_deref(), Some(*wrong), "{from}: {}", mapping.reason);
        assert_eq!(mapping.kind, MatchKind::Unmatched, "{from}: {}", mapping.reason);
        println!("{from} ✗ {wrong}: {}", mapping.reason);
    }
    let map = self::map();
    let reason = map.to_vercel("deepseek/deepseek-r1-0528").reason;
    assert!(reason.contains("already paired with deepseek/deepseek-r1 (exact)"), "{reason}");
    let reason = map.to_vercel("qwen/qwen3.5-plus-02-15").reason;
    assert!(reason.contains("has \"02\""), "{reason}");
}

#[test]
fn dated_snapshots_fail_on_their_own_evidence() {
    // Without the undated ids on the OpenRouter side nothing is "already paired", so the name,
    // price and context checks alone must reject the dated snapshots.
    let document: Value = serde_json::from_str(include_str!("../src/catalog/openrouter-models.json")).unwrap();
    let keep = [
        "deepseek/deepseek-r1-0528",
        "google/gemini-2.5-pro-preview-05-06",
        "google/gemini-2.5-pro-preview",
        "openai/gpt-4o-2024-05-13",
        "openai/gpt-4o-2024-08-06",
        "openai/gpt-4o-mini-2024-07-18",
        "moonshotai/kimi-k2-0905",
        "openai/gpt-3.5-turbo-0613",
    ];
    let data: Vec<Value> = document["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| keep.contains(&entry["id"].as_str().unwrap()))
        .cloned()
        .collect();
    assert_eq!(data.len(), keep.len());
    let openrouter = Catalog::from_openrouter_json(&serde_json::json!({ "data": data }).to_string()).unwrap();
    let (_, vercel) = catalogs();
    let map = ModelMap::build(&openrouter, vercel, &[]);
    for id in keep {
        let mapping = map.to_vercel(id);
        assert_eq!(mapping.kind, MatchKind::Unmatched, "{id}: {:?}", mapping);
        assert!(mapping.reason.contains("was rejected"), "{id}: {}", mapping.reason);
    }
}

#[test]
fn rule_targets_are_unique() {
    let map = map();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (from, to, _) in map.pairs() {
        if let Some(previous) = seen.insert(to.clone(), from.clone()) {
            panic!("{previous} and {from} both map to {to}");
        }
    }
}

#[test]
fn round_trips() {
    let (openrouter, vercel) = catalogs();
    let map = map();
    let mut checked = 0;
    for id in openrouter.ids().filter(|id| !id.contains(':')) {
        let forward = map.to_vercel(id);
        let Some(to) = forward.to else { continue };
        let back = map.to_openrouter(&to);
        assert_eq!(back.to.as_deref(), Some(id), "{id} → {to} → {:?}: {}", back.to, back.reason);
        assert_eq!(back.kind, forward.kind, "{id}");
        checked += 1;
    }
    assert_eq!(checked, 144);
    for id in vercel.ids() {
        let Some(back) = map.to_openrouter(id).to else { continue };
        assert_eq!(map.to_vercel(&back).to.as_deref(), Some(id), "{id} → {back}");
    }
}

#[test]
fn reasons_are_readable() {
    let map = map();
    assert_eq!(map.to_vercel("openai/gpt-5").reason, "exact id");
    assert_eq!(map.to_vercel("x-ai/grok-4.3").reason, "author prefix x-ai → xai");
    assert_eq!(map.to_openrouter("xai/grok-4.3").reason, "author prefix xai → x-ai");
    assert_eq!(
        map.to_vercel("meta-llama/llama-3.3-70b-instruct").reason,
        "rule: author prefix meta-llama → meta, dropped -instruct; context 131072 vs 128000, prices not comparable, \
         names agree"
    );
    assert_eq!(
        map.to_vercel("qwen/qwen3-14b").reason,
        "rule: author prefix qwen → alibaba, qwen3 → qwen-3; context 40960 vs 40960, prices within 1.2×, names agree"
    );
    assert!(map
        .to_openrouter("alibaba/qwen-3-14b")
        .reason
        .starts_with("reverse of qwen/qwen3-14b → alibaba/qwen-3-14b"));
    assert_eq!(map.to_vercel("thedrummer/rocinante-12b").reason, "Vercel lists no model by thedrummer");
    assert_eq!(map.to_vercel("openai/gpt-4").reason, "no Vercel model with a matching name");
    assert_eq!(
        map.to_openrouter("xai/grok-4.20-non-reasoning").reason,
        "no OpenRouter model is paired with xai/grok-4.20-non-reasoning"
    );
}

#[test]
fn decorations() {
    let map = map();
    let free = map.to_vercel("openai/gpt-oss-120b:free");
    assert_eq!(free.to.as_deref(), Some("openai/gpt-oss-120b"));
    assert_eq!(free.kind, MatchKind::Exact);
    assert_eq!(free.variant.as_deref(), Some("free"));
    assert!(free.reason.ends_with(":free dropped, so Vercel bills the paid model"), "{}", free.reason);

    // Not in the OpenRouter snapshot, but the base id is: the decoration is stripped all the same.
    let trinity = map.to_vercel("arcee-ai/trinity-large-preview:free");
    assert_eq!(trinity.to.as_deref(), Some("arcee-ai/trinity-large-preview"));

    let nitro = map.to_vercel("x-ai/grok-4.3:nitro");
    assert_eq!(
        (nitro.to.as_deref(), nitro.kind, nitro.sort),
        (Some("xai/grok-4.3"), MatchKind::Prefix, Some(Sort::Throughput))
    );
    let floor = map.to_vercel("qwen/qwen3-14b:floor");
    assert_eq!((floor.to.as_deref(), floor.sort), (Some("alibaba/qwen-3-14b"), Some(Sort::Cost)));
    assert_eq!(Sort::Throughput.vercel(), "tps");
    assert_eq!(Sort::Cost.vercel(), "cost");

    let thinking = map.to_vercel("anthropic/claude-sonnet-4.5:thinking");
    assert_eq!(thinking.to.as_deref(), Some("anthropic/claude-sonnet-4.5"));
    assert_eq!(thinking.sort, None);

    for id in ["anthropic/claude-sonnet-4.5:online", "moonshotai/kimi-k2.6:exacto", "openai/gpt-5:sparkly"] {
        let mapping = map.to_vercel(id);
        assert_eq!((mapping.to, mapping.kind, mapping.sort), (None, MatchKind::Unmatched, None), "{id}");
        assert!(mapping.reason.contains("cannot"), "{id}: {}", mapping.reason);
    }
    // A decoration on an unmatched base changes nothing.
    assert_eq!(map.to_vercel("thedrummer/rocinante-12b:nitro").sort, None);

    let alias = map.to_vercel("~anthropic/claude-sonnet-latest");
    assert_eq!(alias.kind, MatchKind::Unmatched);
    assert!(alias.reason.contains("moving target"));
    assert_eq!(map.to_vercel("openrouter/auto").kind, MatchKind::Unmatched);
}

#[test]
fn overrides_win() {
    let (openrouter, vercel) = catalogs();
    let table = overrides(&[
        ("deepseek/deepseek-r1-0528", "deepseek/deepseek-r1"),
        ("~anthropic/claude-sonnet-latest", "anthropic/claude-sonnet-4.6"),
        ("mistralai/devstral-2512", "mistral/devstral-2"),
        ("openai/gpt-5", ""),
        ("x-ai/grok-4.20", "xai/grok-4.20-non-reasoning"),
        ("x-ai/grok-4.3:online", "xai/grok-4.3"),
        ("acme/private-model", "acme/private-model-v2"),
    ]);
    let map = ModelMap::build(openrouter, vercel, &table);

    let r1 = map.to_vercel("deepseek/deepseek-r1-0528");
    assert_eq!(
        (r1.to.as_deref(), r1.kind, r1.reason.as_str()),
        (Some("deepseek/deepseek-r1"), MatchKind::Override, "override")
    );
    // Both deepseek-r1 and deepseek-r1-0528 now reach deepseek/deepseek-r1: the override wins back.
    let back = map.to_openrouter("deepseek/deepseek-r1");
    assert_eq!((back.to.as_deref(), back.kind), (Some("deepseek/deepseek-r1-0528"), MatchKind::Override));
    assert!(back.reason.contains("chosen over deepseek/deepseek-r1"), "{}", back.reason);

    assert_eq!(map.to_vercel("~anthropic/claude-sonnet-latest").to.as_deref(), Some("anthropic/claude-sonnet-4.6"));
    assert_eq!(map.to_vercel("mistralai/devstral-2512").kind, MatchKind::Override);
    let kept = map.to_vercel("openai/gpt-5");
    assert_eq!((kept.to, kept.kind), (None, MatchKind::Unmatched));
    assert!(kept.reason.contains("override table keeps"));
    assert_eq!(map.to_vercel("x-ai/grok-4.20").to.as_deref(), Some("xai/grok-4.20-non-reasoning"));
    // An override of the decorated id itself beats the variant's "cannot honour".
    assert_eq!(map.to_vercel("x-ai/grok-4.3:online").kind, MatchKind::Override);
    // Overrides may name ids outside both catalogs; the reason says so.
    let private = map.to_vercel("acme/private-model");
    assert_eq!(private.reason, "override (not in the Vercel catalog)");
    assert_eq!(map.to_openrouter("acme/private-model-v2").to.as_deref(), Some("acme/private-model"));

    let stats = map.stats();
    println!("with overrides: {stats}");
    // deepseek-r1-0528, the ~sonnet alias, devstral-2512, grok-4.20 (gpt-5 is now unmatched).
    assert_eq!(stats.overrides, 4);
    assert_eq!(stats.total(), 364);
}

#[test]
fn ids_outside_the_catalogs() {
    let map = map();
    // Newer than the OpenRouter snapshot, listed by Vercel: the same id is direct evidence.
    let opus = map.to_vercel("anthropic/claude-opus-4.8");
    assert_eq!((opus.to.as_deref(), opus.kind), (Some("anthropic/claude-opus-4.8"), MatchKind::Exact));
    // ... but OpenRouter's catalog is the authority on what OpenRouter serves.
    assert_eq!(map.to_openrouter("anthropic/claude-opus-4.8").kind, MatchKind::Unmatched);
    // Ids are compared without case.
    assert_eq!(map.to_vercel("X-AI/Grok-4.3").to.as_deref(), Some("xai/grok-4.3"));
    let unknown = map.to_vercel("acme/nothing");
    assert_eq!(unknown.kind, MatchKind::Unmatched);
    assert!(unknown.reason.contains("not in the OpenRouter catalog"));
    assert_eq!(map.to_openrouter("acme/nothing").reason, "acme/nothing is in neither catalog");
}
