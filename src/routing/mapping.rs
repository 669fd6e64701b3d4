//! Model-id mapping between OpenRouter and Vercel AI Gateway, built from both catalogs.
//!
//! Design choices (spec `routing.md` §2):
//! - **Evidence in order of strength.** A user override wins; then the exact id; then the id
//!   after the author-prefix table ([`AUTHOR_PREFIXES`], `x-ai` → `xai` ...). Name rules come
//!   last and only *propose*: dropping a date suffix, `-preview`, `-instruct`, `-v1`, an inner
//!   `-chat`, the MoE suffix `-a3b`, a trailing version; `qwen3` → `qwen-3`; `3-5` → `3.5`;
//!   adding `-reasoning`.
//! - **A proposal is accepted only when every check passes**: the Vercel id is not already the
//!   exact/prefix/override partner of another OpenRouter id (then the proposal is a different
//!   snapshot: `gpt-4o-2024-05-13` is not `gpt-4o`); it is the only candidate that passes, and
//!   no other OpenRouter id passes for it; same kind and outputs; context windows within
//!   [`CONTEXT_TOLERANCE`]; prompt and completion prices within [`PRICE_FACTOR`]; display names
//!   agree. Names agree when their token sets overlap (Dice ≥ [`NAME_SIMILARITY`]) and every
//!   *significant* token (one with a digit, or a stage word such as `preview`, `thinking`) on
//!   one side is on the other side (name or id), except what the applied rule removed and a
//!   dropped date when the Vercel name says "latest". The "already paired" check and the date
//!   check each reject `deepseek-r1-0528 → deepseek-r1`, `gemini-2.5-pro-preview-05-06 →
//!   gemini-2.5-pro`, `gpt-4o-2024-05-13 → gpt-4o` and `kimi-k2-0905 → kimi-k2` on their own
//!   (a test removes the undated ids to prove it); the dated Qwen snapshots fall to the date
//!   check and `gpt-4-turbo-preview → gpt-4-turbo` to the "already paired" one.
//! - **Thresholds come from the snapshots.** Over the 230 prompt/completion price pairs of ids
//!   equal on both sides, 215 agree within 2× and 223 within 3× (OpenRouter lists its cheapest
//!   provider, Vercel a list price), hence 3×. Context windows of equal ids differ by up to 8×
//!   (OpenRouter reports the routed endpoint's window, the Vercel snapshot models.dev's), so the
//!   window check is loose (4×) and only separates model generations (32k vs 262k).
//! - **False negatives are cheap, false positives are not.** An unmatched model stays on
//!   OpenRouter; a wrong pair silently serves another model. Every doubt leaves a model
//!   unmatched, with a reason that says why, and the override table fixes what the rules miss.
//! - **Decorations are carried, not lost.** `:free`, `:nitro`, `:floor` and `:thinking` are
//!   stripped for lookup and reported on the [`Mapping`] (`:nitro`/`:floor` as a [`Sort`] hint);
//!   `:online` and `:exacto` have no Vercel meaning, so such ids are unmatched; `~vendor/...`
//!   aliases move with the vendor's releases and are unmatched unless overridden.
//! - **One table, both directions.** [`ModelMap::to_openrouter`] uses the same pairs. When
//!   several OpenRouter ids reach one Vercel id (overrides, or an exact and a prefix pair), the
//!   override wins, then the pair whose context and prices agree best, then the smaller id.
//!   Decorated ids are never a reverse target: `:free` endpoints have other limits and data
//!   policies, so sending paid Vercel traffic there would weaken a promise.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use crate::catalog::{Catalog, ModelInfo};

/// OpenRouter author → Vercel creator, where they differ (spec §2.1). Other authors are equal on
/// both sides or absent from Vercel.
pub const AUTHOR_PREFIXES: &[(&str, &str)] = &[
    ("x-ai", "xai"),
    ("z-ai", "zai"),
    ("mistralai", "mistral"),
    ("qwen", "alibaba"),
    ("meta-llama", "meta"),
    ("bytedance-seed", "bytedance"),
];

/// A rule pair's context windows may differ by at most this factor (larger / smaller).
pub const CONTEXT_TOLERANCE: f64 = 4.0;

/// A rule pair's prompt and completion prices may each differ by at most this factor; a side
/// whose price is unlisted or zero is not compared.
pub const PRICE_FACTOR: f64 = 3.0;

/// The least Dice similarity of a rule pair's name tokens.
pub const NAME_SIMILARITY: f64 = 0.5;

/// Words that tell snapshots or modes apart, compared like numbers in names.
const STAGE_WORDS: &[&str] = &["preview", "beta", "alpha", "exp", "experimental", "older", "thinking", "reasoning"];

/// How a [`Mapping`] was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchKind {
    /// The same id exists on both gateways.
    Exact,
    /// Equal after the author-prefix table.
    Prefix,
    /// A name rule, accepted after validation.
    Rule,
    /// From the user's override table.
    Override,
    /// No counterpart; the reason says why.
    Unmatched,
}

impl MatchKind {
    /// The lowercase name: `"exact"`, `"prefix"`, `"rule"`, `"override"` or `"unmatched"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Prefix => "prefix",
            MatchKind::Rule => "rule",
            MatchKind::Override => "override",
            MatchKind::Unmatched => "unmatched",
        }
    }
}

impl fmt::Display for MatchKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider-sort preference, as OpenRouter's `provider.sort` and Vercel's `gateway.sort`
/// express it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sort {
    /// Cheapest first: OpenRouter `price` (and `:floor`), Vercel `cost`.
    Cost,
    /// Fastest generation first: OpenRouter `throughput` (and `:nitro`), Vercel `tps`.
    Throughput,
    /// Quickest first token first: OpenRouter `latency`, Vercel `ttft`.
    Latency,
}

impl Sort {
    /// Vercel's spelling: `"cost"`, `"tps"` or `"ttft"`.
    pub fn vercel(self) -> &'static str {
        match self {
            Sort::Cost => "cost",
            Sort::Throughput => "tps",
            Sort::Latency => "ttft",
        }
    }

    /// OpenRouter's spelling: `"price"`, `"throughput"` or `"latency"`.
    pub fn openrouter(self) -> &'static str {
        match self {
            Sort::Cost => "price",
            Sort::Throughput => "throughput",
            Sort::Latency => "latency",
        }
    }

    /// Reads Vercel's spelling.
    pub fn from_vercel(text: &str) -> Option<Sort> {
        [Sort::Cost, Sort::Throughput, Sort::Latency].into_iter().find(|sort| sort.vercel() == text)
    }

    /// Reads OpenRouter's spelling.
    pub fn from_openrouter(text: &str) -> Option<Sort> {
        [Sort::Cost, Sort::Throughput, Sort::Latency].into_iter().find(|sort| sort.openrouter() == text)
    }
}

/// The answer for one id: where it maps, how, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// The id asked about, as given.
    pub from: String,
    /// The id on the other gateway; `None` when unmatched.
    pub to: Option<String>,
    /// How the pair was found.
    pub kind: MatchKind,
    /// A readable sentence: `"exact id"`, `"author prefix x-ai → xai"`,
    /// `"rule: dropped -instruct; context 131072 vs 128000, prices within 1.0×, names agree"`.
    pub reason: String,
    /// The OpenRouter variant (`"free"`, `"nitro"`, ...) stripped from the id, if any.
    pub variant: Option<String>,
    /// The sort a `:nitro` / `:floor` variant asks for; request translation applies it.
    pub sort: Option<Sort>,
}

impl Mapping {
    /// True when the id has a counterpart.
    pub fn is_mapped(&self) -> bool {
        self.to.is_some()
    }
}

/// How the ids of the OpenRouter catalog mapped, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapStats {
    /// Same id on both gateways.
    pub exact: usize,
    /// Equal after the author-prefix table.
    pub prefix: usize,
    /// Accepted name rules.
    pub rule: usize,
    /// From the override table.
    pub overrides: usize,
    /// No counterpart.
    pub unmatched: usize,
}

impl MapStats {
    /// All ids counted.
    pub fn total(&self) -> usize {
        self.exact + self.prefix + self.rule + self.overrides + self.unmatched
    }

    /// Ids with a counterpart.
    pub fn mapped(&self) -> usize {
        self.total() - self.unmatched
    }
}

impl fmt::Display for MapStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ids: {} exact, {} prefix, {} rule, {} override, {} unmatched",
            self.total(),
            self.exact,
            self.prefix,
            self.rule,
            self.overrides,
            self.unmatched
        )
    }
}

/// A resolved direction of one pair.
#[derive(Debug, Clone)]
struct Pair {
    to: Option<String>,
    kind: MatchKind,
    reason: String,
}

impl Pair {
    fn unmatched(reason: impl Into<String>) -> Pair {
        Pair { to: None, kind: MatchKind::Unmatched, reason: reason.into() }
    }
}

/// The id mapping between the two catalogs, both directions, plus the user's overrides.
#[derive(Debug, Clone)]
pub struct ModelMap {
    /// Lowercased undecorated OpenRouter id → its Vercel pair (every base id of the catalog).
    forward: HashMap<String, Pair>,
    /// Lowercased Vercel id → its OpenRouter pair (mapped ids only).
    reverse: HashMap<String, Pair>,
    /// Lowercased OpenRouter id (possibly decorated) → Vercel id; empty = keep on OpenRouter.
    overrides: HashMap<String, String>,
    /// Lowercased → catalog spelling.
    vercel_ids: HashMap<String, String>,
    /// Lowercased undecorated OpenRouter catalog ids → catalog spelling.
    openrouter_ids: HashMap<String, String>,
    /// The OpenRouter catalog's ids in document order, for [`ModelMap::stats`].
    catalog_ids: Vec<String>,
}

impl ModelMap {
    /// Builds the mapping. `overrides` are `(openrouter_id, vercel_id)` pairs that win over
    /// every rule (a later pair for the same id wins); an empty `vercel_id` keeps that
    /// OpenRouter id unmatched. An override key may carry a variant (`"x-ai/grok-4:online"`)
    /// to map exactly that decorated id.
    pub fn build(openrouter: &Catalog, vercel: &Catalog, overrides: &[(String, String)]) -> ModelMap {
        let vercel_ids: HashMap<String, String> =
            vercel.ids().map(|id| (id.to_ascii_lowercase(), id.to_owned())).collect();
        let overrides: HashMap<String, String> =
            overrides.iter().map(|(from, to)| (from.trim().to_ascii_lowercase(), to.trim().to_owned())).collect();

        // Every base id of the OpenRouter catalog, with the entry that describes it best: the
        // undecorated one when listed (a `:free` entry's zero prices say nothing).
        let mut bases: BTreeMap<String, (&ModelInfo, bool)> = BTreeMap::new();
        let mut openrouter_ids = HashMap::new();
        for model in openrouter.models() {
            let lower = model.id.to_ascii_lowercase();
            let (base, variant) = split_variant(&lower);
            if variant.is_none() {
                openrouter_ids.insert(lower.clone(), model.id.clone());
            }
            let undecorated = variant.is_none();
            match bases.get(base) {
                Some((_, true)) => {}
                Some((_, false)) if !undecorated => {}
                _ => {
                    bases.insert(base.to_owned(), (model, undecorated));
                }
            }
        }

        let mut map = ModelMap {
            forward: HashMap::new(),
            reverse: HashMap::new(),
            overrides,
            vercel_ids,
            openrouter_ids,
            catalog_ids: openrouter.ids().map(str::to_owned).collect(),
        };

        // Direct evidence first; what it pairs is claimed and out of reach of the rules.
        let mut claimed: HashMap<String, (String, MatchKind)> = HashMap::new();
        let mut pending = Vec::new();
        for (base, (info, _)) in &bases {
            match map.direct(base) {
                Some(pair) => {
                    if let Some(to) = &pair.to {
                        claimed.entry(to.to_ascii_lowercase()).or_insert_with(|| (base.clone(), pair.kind));
                    }
                    map.forward.insert(base.clone(), pair);
                }
                None => pending.push((base.clone(), *info)),
            }
        }

        // Name rules, validated one OpenRouter id at a time.
        let mut accepted: BTreeMap<String, Vec<(String, Pair)>> = BTreeMap::new();
        for (base, info) in pending {
            match map.rule_pair(&base, info, vercel, &claimed) {
                Ok((target, pair)) => accepted.entry(target).or_default().push((base, pair)),
                Err(reason) => {
                    map.forward.insert(base, Pair::unmatched(reason));
                }
            }
        }
        // ... and unique across them: two OpenRouter ids fitting one Vercel id pair with neither.
        for (target, group) in accepted {
            if group.len() == 1 {
                for (base, pair) in group {
                    map.forward.insert(base, pair);
                }
                continue;
            }
            let names: Vec<&str> = group.iter().map(|(base, _)| base.as_str()).collect();
            let spelled = map.vercel_ids.get(&target).cloned().unwrap_or(target);
            for (base, _) in &group {
                let others: Vec<&str> = names.iter().copied().filter(|name| name != base).collect();
                let reason =
                    format!("ambiguous: {} also fits {spelled} by name rules, so neither is paired", others.join(", "));
                map.forward.insert(base.clone(), Pair::unmatched(reason));
            }
        }

        map.reverse = map.build_reverse(openrouter, vercel);
        map
    }

    /// The Vercel counterpart of an OpenRouter id (decorations included).
    pub fn to_vercel(&self, openrouter_id: &str) -> Mapping {
        let lower = openrouter_id.trim().to_ascii_lowercase();
        let (base, variant) = split_variant(&lower);
        let mut mapping = Mapping {
            from: openrouter_id.to_owned(),
            to: None,
            kind: MatchKind::Unmatched,
            reason: String::new(),
            variant: variant.map(str::to_owned),
            sort: None,
        };
        // An override naming the decorated id itself wins over the variant's meaning.
        if let Some(variant) = variant {
            if let Some(target) = self.overrides.get(&lower) {
                let pair = self.override_pair(target);
                mapping.sort = variant_sort(variant);
                return fill(mapping, pair);
            }
        }
        let pair = self.forward.get(base).cloned().unwrap_or_else(|| self.resolve_unknown(base));
        let Some(variant) = variant else {
            return fill(mapping, pair);
        };
        if pair.to.is_none() {
            return fill(mapping, pair);
        }
        let note = match variant {
            "free" => "; :free dropped, so Vercel bills the paid model",
            "nitro" => "; :nitro asks for the fastest provider: sort by throughput (tps)",
            "floor" => "; :floor asks for the cheapest provider: sort by price (cost)",
            "thinking" => "; :thinking dropped: enable reasoning with the request's reasoning field",
            "online" => return fill(
                mapping,
                Pair::unmatched(
                    ":online adds OpenRouter's web search plugin, which Vercel cannot honour; keep it on OpenRouter",
                ),
            ),
            "exacto" => {
                return fill(
                    mapping,
                    Pair::unmatched(
                        ":exacto limits routing to OpenRouter's curated tool-calling providers, which Vercel cannot \
                         honour; keep it on OpenRouter",
                    ),
                )
            }
            other => {
                let reason = format!("unknown OpenRouter variant :{other}; Vercel cannot be assumed to honour it");
                return fill(mapping, Pair::unmatched(reason));
            }
        };
        mapping.sort = variant_sort(variant);
        let mut pair = pair;
        pair.reason.push_str(note);
        fill(mapping, pair)
    }

    /// The OpenRouter counterpart of a Vercel id, from the same pairs as
    /// [`ModelMap::to_vercel`].
    pub fn to_openrouter(&self, vercel_id: &str) -> Mapping {
        let lower = vercel_id.trim().to_ascii_lowercase();
        let mapping = Mapping {
            from: vercel_id.to_owned(),
            to: None,
            kind: MatchKind::Unmatched,
            reason: String::new(),
            variant: None,
            sort: None,
        };
        if let Some(pair) = self.reverse.get(&lower) {
            return fill(mapping, pair.clone());
        }
        if self.vercel_ids.contains_key(&lower) {
            return fill(mapping, Pair::unmatched(format!("no OpenRouter model is paired with {vercel_id}")));
        }
        // Not in the Vercel catalog: only direct evidence, checked against OpenRouter's catalog.
        if let Some(id) = self.openrouter_ids.get(&lower) {
            let pair = Pair {
                to: Some(id.clone()),
                kind: MatchKind::Exact,
                reason: "exact id (not in the Vercel catalog)".into(),
            };
            return fill(mapping, pair);
        }
        if let Some((author, name)) = lower.split_once('/') {
            if let Some(&(or_author, _)) = AUTHOR_PREFIXES.iter().find(|(_, v)| *v == author) {
                if let Some(id) = self.openrouter_ids.get(&format!("{or_author}/{name}")) {
                    let reason = format!("author prefix {author} → {or_author} (not in the Vercel catalog)");
                    return fill(mapping, Pair { to: Some(id.clone()), kind: MatchKind::Prefix, reason });
                }
            }
        }
        fill(mapping, Pair::unmatched(format!("{vercel_id} is in neither catalog")))
    }

    /// Counts of each match kind over the ids of the OpenRouter catalog (decorated ids
    /// included, each counted by what [`ModelMap::to_vercel`] answers for it).
    pub fn stats(&self) -> MapStats {
        let mut stats = MapStats::default();
        for id in &self.catalog_ids {
            match self.to_vercel(id).kind {
                MatchKind::Exact => stats.exact += 1,
                MatchKind::Prefix => stats.prefix += 1,
                MatchKind::Rule => stats.rule += 1,
                MatchKind::Override => stats.overrides += 1,
                MatchKind::Unmatched => stats.unmatched += 1,
            }
        }
        stats
    }

    /// Every mapped OpenRouter → Vercel pair of the catalog's undecorated ids, sorted by
    /// OpenRouter id.
    pub fn pairs(&self) -> Vec<(String, String, MatchKind)> {
        let mut pairs: Vec<(String, String, MatchKind)> = self
            .forward
            .iter()
            .filter_map(|(base, pair)| {
                let from = self.openrouter_ids.get(base)?;
                Some((from.clone(), pair.to.clone()?, pair.kind))
            })
            .collect();
        pairs.sort();
        pairs
    }

    /// Overrides, aliases, OpenRouter's own routers, exact ids and author prefixes: everything
    /// that needs no validation. `None` when only a name rule could pair `base`.
    fn direct(&self, base: &str) -> Option<Pair> {
        if let Some(target) = self.overrides.get(base) {
            return Some(self.override_pair(target));
        }
        if base.starts_with('~') {
            return Some(Pair::unmatched(
                "~ aliases follow the vendor's newest model, a moving target; add an override to pin a Vercel id",
            ));
        }
        let Some((author, name)) = base.split_once('/') else {
            return Some(Pair::unmatched(format!("{base} is not an author/model id")));
        };
        if author == "openrouter" {
            return Some(Pair::unmatched("OpenRouter's own routers have no Vercel counterpart"));
        }
        if let Some(id) = self.vercel_ids.get(base) {
            return Some(Pair { to: Some(id.clone()), kind: MatchKind::Exact, reason: "exact id".into() });
        }
        let vercel_author = vercel_author(author)?;
        let id = self.vercel_ids.get(&format!("{vercel_author}/{name}"))?;
        let reason = format!("author prefix {author} → {vercel_author}");
        Some(Pair { to: Some(id.clone()), kind: MatchKind::Prefix, reason })
    }

    fn override_pair(&self, target: &str) -> Pair {
        if target.is_empty() {
            return Pair::unmatched("the override table keeps this id on OpenRouter");
        }
        let reason = if self.vercel_ids.contains_key(&target.to_ascii_lowercase()) {
            "override".to_owned()
        } else {
            "override (not in the Vercel catalog)".to_owned()
        };
        Pair { to: Some(target.to_owned()), kind: MatchKind::Override, reason }
    }

    /// An id the OpenRouter catalog does not list: direct evidence only, since name rules need
    /// catalog data to validate.
    fn resolve_unknown(&self, base: &str) -> Pair {
        self.direct(base).unwrap_or_else(|| {
            Pair::unmatched(format!(
                "{base} is not in the OpenRouter catalog and no Vercel model has the same id; name rules need \
                 catalog data to validate"
            ))
        })
    }

    /// The one validated rule candidate for `base`, as (lowercased Vercel id, pair), or why
    /// there is none.
    fn rule_pair(
        &self,
        base: &str,
        info: &ModelInfo,
        vercel: &Catalog,
        claimed: &HashMap<String, (String, MatchKind)>,
    ) -> Result<(String, Pair), String> {
        let Some((author, name)) = base.split_once('/') else {
            return Err(format!("{base} is not an author/model id"));
        };
        let target_author = vercel_author(author).unwrap_or(author);
        let mut passed = Vec::new();
        let mut notes = Vec::new();
        for (candidate, steps) in propose(name) {
            let target = format!("{target_author}/{candidate}");
            let Some(spelled) = self.vercel_ids.get(&target) else { continue };
            if let Some((partner, kind)) = claimed.get(&target) {
                notes.push(format!(
                    "{spelled} is already paired with {partner} ({kind}), so {base} is a different model or snapshot"
                ));
                continue;
            }
            let Some(target_info) = vercel.get(spelled) else { continue };
            match validate(info, target_info, &steps) {
                Ok(evidence) => passed.push((target, spelled.clone(), steps, evidence)),
                Err(why) => notes.push(format!("{spelled} was rejected: {why}")),
            }
        }
        match passed.len() {
            0 if notes.is_empty() => {
                if self.vercel_ids.keys().any(|id| id.starts_with(&format!("{target_author}/"))) {
                    Err("no Vercel model with a matching name".to_owned())
                } else {
                    Err(format!("Vercel lists no model by {target_author}"))
                }
            }
            0 => Err(notes.join("; ")),
            1 => {
                let Some((target, spelled, steps, evidence)) = passed.pop() else {
                    return Err("no Vercel model with a matching name".to_owned());
                };
                let mut changes: Vec<String> = Vec::new();
                if target_author != author {
                    changes.push(format!("author prefix {author} → {target_author}"));
                }
                changes.extend(steps.iter().map(|step| step.description.clone()));
                let reason = format!("rule: {}; {}", changes.join(", "), evidence.summary);
                Ok((target, Pair { to: Some(spelled), kind: MatchKind::Rule, reason }))
            }
            _ => {
                let names: Vec<&str> = passed.iter().map(|(_, spelled, _, _)| spelled.as_str()).collect();
                Err(format!("ambiguous: {} all fit by name rules", names.join(", ")))
            }
        }
    }

    /// The reverse table: every mapped undecorated OpenRouter id (and undecorated override
    /// key) grouped by Vercel id, one chosen per group.
    fn build_reverse(&self, openrouter: &Catalog, vercel: &Catalog) -> HashMap<String, Pair> {
        struct Candidate {
            from: String,
            kind: MatchKind,
            reason: String,
            disagreement: f64,
        }
        let mut groups: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
        for (base, pair) in &self.forward {
            let (Some(to), Some(from)) = (&pair.to, self.openrouter_ids.get(base)) else { continue };
            let disagreement = match (openrouter.get(from), vercel.get(to)) {
                (Some(a), Some(b)) => disagreement(a, b),
                _ => f64::INFINITY,
            };
            groups.entry(to.to_ascii_lowercase()).or_default().push(Candidate {
                from: from.clone(),
                kind: pair.kind,
                reason: pair.reason.clone(),
                disagreement,
            });
        }
        for (key, target) in &self.overrides {
            if target.is_empty() || split_variant(key).1.is_some() || self.forward.contains_key(key) {
                continue;
            }
            groups.entry(target.to_ascii_lowercase()).or_default().push(Candidate {
                from: key.clone(),
                kind: MatchKind::Override,
                reason: "override".into(),
                disagreement: f64::INFINITY,
            });
        }
        let mut reverse = HashMap::new();
        for (target, mut group) in groups {
            group.sort_by(|a, b| {
                (a.kind != MatchKind::Override)
                    .cmp(&(b.kind != MatchKind::Override))
                    .then(a.disagreement.total_cmp(&b.disagreement))
                    .then(a.from.cmp(&b.from))
            });
            let mut chosen = group.remove(0);
            let spelled_target = self.vercel_ids.get(&target).cloned().unwrap_or_else(|| target.clone());
            let mut reason = match chosen.kind {
                MatchKind::Exact => "exact id".to_owned(),
                MatchKind::Prefix => {
                    let author = chosen.from.split('/').next().unwrap_or_default();
                    let vercel_author = spelled_target.split('/').next().unwrap_or_default();
                    format!("author prefix {vercel_author} → {author}")
                }
                MatchKind::Override => format!("override ({} → {spelled_target})", chosen.from),
                _ => format!("reverse of {} → {spelled_target}, {}", chosen.from, std::mem::take(&mut chosen.reason)),
            };
            if !group.is_empty() {
                let others: Vec<&str> = group.iter().map(|c| c.from.as_str()).collect();
                reason.push_str(&format!(
                    "; chosen over {} (override first, then closest context and prices)",
                    others.join(", ")
                ));
            }
            reverse.insert(target, Pair { to: Some(chosen.from), kind: chosen.kind, reason });
        }
        reverse
    }
}

fn fill(mut mapping: Mapping, pair: Pair) -> Mapping {
    mapping.to = pair.to;
    mapping.kind = pair.kind;
    mapping.reason = pair.reason;
    if mapping.to.is_none() {
        mapping.sort = None;
    }
    mapping
}

fn variant_sort(variant: &str) -> Option<Sort> {
    match variant {
        "nitro" => Some(Sort::Throughput),
        "floor" => Some(Sort::Cost),
        _ => None,
    }
}

/// Splits an OpenRouter id into its base and variant: `"a/b:free"` → `("a/b", Some("free"))`.
pub fn split_variant(id: &str) -> (&str, Option<&str>) {
    match id.rsplit_once(':') {
        Some((base, variant))
            if base.contains('/') && !variant.is_empty() && variant.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            (base, Some(variant))
        }
        _ => (id, None),
    }
}

/// The Vercel creator for an OpenRouter author, when the table renames it.
pub fn vercel_author(openrouter_author: &str) -> Option<&'static str> {
    AUTHOR_PREFIXES.iter().find(|(or, _)| *or == openrouter_author).map(|(_, v)| *v)
}

/// The OpenRouter author for a Vercel creator, when the table renames it.
pub fn openrouter_author(vercel_creator: &str) -> Option<&'static str> {
    AUTHOR_PREFIXES.iter().find(|(_, v)| *v == vercel_creator).map(|(or, _)| *or)
}

// ---------------------------------------------------------------------------------------------
// Name rules.

/// One applied rewrite, with what it allows the names to differ in.
#[derive(Debug, Clone)]
struct Step {
    description: String,
    /// Significant tokens the OpenRouter side may have that the Vercel side lacks.
    openrouter_only: &'static [&'static str],
    /// Significant tokens the Vercel side may have that the OpenRouter side lacks.
    vercel_only: &'static [&'static str],
}

type RuleFn = fn(&str) -> Option<(String, String)>;

/// The rewrites, applied in this order when several combine.
const RULES: &[(RuleFn, &[&str], &[&str])] = &[
    (drop_date, &[], &[]),
    (drop_preview, &["preview"], &[]),
    (drop_instruct, &["instruct", "vision"], &[]),
    (drop_v1, &["v", "1", "0"], &[]),
    (drop_inner_chat, &["chat"], &[]),
    (qwen_dash, &[], &[]),
    (drop_moe, &[], &[]),
    (dash_to_dot, &[], &[]),
    (drop_version, &[], &[]),
    (add_reasoning, &[], &["reasoning"]),
];

/// Every distinct name the rules reach from `name`, each with the fewest steps reaching it.
fn propose(name: &str) -> Vec<(String, Vec<Step>)> {
    let mut found: BTreeMap<String, Vec<Step>> = BTreeMap::new();
    'subsets: for mask in 1u32..(1 << RULES.len()) {
        let mut current = name.to_owned();
        let mut steps = Vec::new();
        for (position, (rule, openrouter_only, vercel_only)) in RULES.iter().enumerate() {
            if mask & (1 << position) == 0 {
                continue;
            }
            let Some((next, description)) = rule(&current) else { continue 'subsets };
            current = next;
            steps.push(Step { description, openrouter_only, vercel_only });
        }
        match found.get(&current) {
            Some(existing) if existing.len() <= steps.len() => {}
            _ => {
                found.insert(current, steps);
            }
        }
    }
    found.into_iter().collect()
}

fn all_digits(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit())
}

fn drop_date(name: &str) -> Option<(String, String)> {
    let segments: Vec<&str> = name.split('-').collect();
    let n = segments.len();
    let tail = |k: usize| segments.get(n.checked_sub(k)?).copied();
    let cut = match (tail(3), tail(2), tail(1)) {
        (Some(y), Some(m), Some(d)) if all_digits(y, 4) && all_digits(m, 2) && all_digits(d, 2) => 3,
        (_, Some(m), Some(y)) if all_digits(m, 2) && all_digits(y, 4) => 2,
        (_, Some(m), Some(d)) if all_digits(m, 2) && all_digits(d, 2) => 2,
        (_, _, Some(last)) if all_digits(last, 8) || all_digits(last, 4) || all_digits(last, 3) => 1,
        _ => return None,
    };
    if cut >= n {
        return None;
    }
    let kept = segments[..n - cut].join("-");
    let dropped = segments[n - cut..].join("-");
    Some((kept, format!("dropped the date suffix -{dropped}")))
}

fn drop_preview(name: &str) -> Option<(String, String)> {
    let kept = name.strip_suffix("-preview")?;
    Some((kept.to_owned(), "dropped -preview".into()))
}

fn drop_instruct(name: &str) -> Option<(String, String)> {
    if let Some(kept) = name.strip_suffix("-vision-instruct") {
        return Some((kept.to_owned(), "dropped -vision-instruct".into()));
    }
    let kept = name.strip_suffix("-instruct")?;
    Some((kept.to_owned(), "dropped -instruct".into()))
}

fn drop_v1(name: &str) -> Option<(String, String)> {
    let kept = name.strip_suffix("-v1")?;
    Some((kept.to_owned(), "dropped -v1".into()))
}

fn drop_inner_chat(name: &str) -> Option<(String, String)> {
    // Only inside the id: `deepseek-chat-v3.1` is `deepseek-v3.1`, but `gpt-5.1-chat` is a
    // different model from `gpt-5.1`.
    name.contains("-chat-").then(|| (name.replacen("-chat-", "-", 1), "dropped -chat".into()))
}

fn qwen_dash(name: &str) -> Option<(String, String)> {
    let rest = name.strip_prefix("qwen")?;
    let digit = rest.chars().next().filter(char::is_ascii_digit)?;
    Some((format!("qwen-{rest}"), format!("qwen{digit} → qwen-{digit}")))
}

fn drop_moe(name: &str) -> Option<(String, String)> {
    let segments: Vec<&str> = name.split('-').collect();
    let position = segments.iter().enumerate().skip(1).find_map(|(position, segment)| {
        let inner = segment.strip_prefix('a')?.strip_suffix('b')?;
        (!inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit())).then_some(position)
    })?;
    let dropped = segments[position];
    let kept: Vec<&str> =
        segments.iter().enumerate().filter(|(i, _)| *i != position).map(|(_, segment)| *segment).collect();
    Some((kept.join("-"), format!("dropped the MoE suffix -{dropped}")))
}

fn dash_to_dot(name: &str) -> Option<(String, String)> {
    let (head, minor) = name.rsplit_once('-')?;
    let (stem, major) = head.rsplit_once('-')?;
    let version = |part: &str| {
        !part.is_empty() && part.len() <= 2 && !part.starts_with('0') && part.bytes().all(|b| b.is_ascii_digit())
    };
    (version(major) && version(minor))
        .then(|| (format!("{stem}-{major}.{minor}"), format!("{major}-{minor} → {major}.{minor}")))
}

fn drop_version(name: &str) -> Option<(String, String)> {
    // `mistral-medium-3.1` → `mistral-medium`: Vercel sometimes lists a family under its bare
    // name; the name check then demands that the Vercel name carry the same version.
    let (stem, version) = name.rsplit_once('-')?;
    let numeric = !version.is_empty()
        && version.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        && version.split('.').count() <= 2;
    (numeric && stem.bytes().any(|b| b.is_ascii_alphabetic()))
        .then(|| (stem.to_owned(), format!("dropped the version -{version} (the Vercel name carries it)")))
}

fn add_reasoning(name: &str) -> Option<(String, String)> {
    (!name.ends_with("reasoning"))
        .then(|| (format!("{name}-reasoning"), "added -reasoning (Vercel splits reasoning on and off)".into()))
}

// ---------------------------------------------------------------------------------------------
// Validation.

struct Evidence {
    summary: String,
}

/// Checks a rule candidate; `Ok` carries the summary for the reason, `Err` why it failed.
fn validate(openrouter: &ModelInfo, vercel: &ModelInfo, steps: &[Step]) -> Result<Evidence, String> {
    if openrouter.kind != vercel.kind {
        return Err(format!("it is a {} model and {} a {} model", vercel.kind, openrouter.id, openrouter.kind));
    }
    let outputs = |model: &ModelInfo| model.output_modalities.iter().cloned().collect::<BTreeSet<String>>();
    if outputs(openrouter) != outputs(vercel) {
        return Err(format!(
            "outputs differ ({} vs {})",
            openrouter.output_modalities.join("+"),
            vercel.output_modalities.join("+")
        ));
    }

    let context = match (openrouter.context_window, vercel.context_window) {
        (Some(a), Some(b)) => {
            if ratio(a as f64, b as f64) > CONTEXT_TOLERANCE {
                return Err(format!("context {a} vs {b} differs by more than {CONTEXT_TOLERANCE}×"));
            }
            format!("context {a} vs {b}")
        }
        _ => "context not listed".to_owned(),
    };

    let prices = match price_ratio(openrouter, vercel) {
        Some(worst) if worst > PRICE_FACTOR => {
            return Err(format!("prices differ by {worst:.1}×, more than {PRICE_FACTOR}×"));
        }
        Some(worst) => format!("prices within {worst:.1}×"),
        None => "prices not comparable".to_owned(),
    };

    names_agree(openrouter, vercel, steps)?;
    Ok(Evidence { summary: format!("{context}, {prices}, names agree") })
}

fn ratio(a: f64, b: f64) -> f64 {
    if a >= b {
        a / b
    } else {
        b / a
    }
}

/// The larger of the prompt and completion price ratios, over the sides both list above zero.
fn price_ratio(a: &ModelInfo, b: &ModelInfo) -> Option<f64> {
    [(a.input_price, b.input_price), (a.output_price, b.output_price)]
        .into_iter()
        .filter_map(|pair| match pair {
            (Some(x), Some(y)) if x > 0.0 && y > 0.0 => Some(ratio(x, y)),
            _ => None,
        })
        .reduce(f64::max)
}

/// How far apart two models' context and prices are (0 = identical), for tie-breaks.
fn disagreement(a: &ModelInfo, b: &ModelInfo) -> f64 {
    let context = match (a.context_window, b.context_window) {
        (Some(x), Some(y)) => ratio(x as f64, y as f64).ln(),
        _ => 0.0,
    };
    context + price_ratio(a, b).map_or(0.0, f64::ln)
}

fn names_agree(openrouter: &ModelInfo, vercel: &ModelInfo, steps: &[Step]) -> Result<(), String> {
    // OpenRouter names carry a "Vendor: " prefix that Vercel names lack.
    let or_name = openrouter.name.split_once(": ").map_or(openrouter.name.as_str(), |(_, rest)| rest);
    let or_tokens: BTreeSet<String> = tokens(or_name).into_iter().chain(tokens(model_part(&openrouter.id))).collect();
    let v_tokens: BTreeSet<String> = tokens(&vercel.name).into_iter().chain(tokens(model_part(&vercel.id))).collect();

    let latest = v_tokens.contains("latest");
    for token in or_tokens.difference(&v_tokens) {
        let allowed = steps.iter().any(|step| step.openrouter_only.contains(&token.as_str()));
        if significant(token) && !allowed && !(latest && date_like(token)) {
            return Err(format!(
                "the OpenRouter name {:?} has {token:?} and the Vercel name {:?} does not",
                openrouter.name, vercel.name
            ));
        }
    }
    for token in v_tokens.difference(&or_tokens) {
        let allowed = steps.iter().any(|step| step.vercel_only.contains(&token.as_str()));
        if significant(token) && !allowed {
            return Err(format!(
                "the Vercel name {:?} has {token:?} and the OpenRouter name {:?} does not",
                vercel.name, openrouter.name
            ));
        }
    }
    let shared = or_tokens.intersection(&v_tokens).count();
    #[allow(clippy::cast_precision_loss)] // a handful of tokens
    let dice = 2.0 * shared as f64 / (or_tokens.len() + v_tokens.len()).max(1) as f64;
    if dice < NAME_SIMILARITY {
        return Err(format!("the names {:?} and {:?} are too different", openrouter.name, vercel.name));
    }
    Ok(())
}

fn model_part(id: &str) -> &str {
    id.split_once('/').map_or(id, |(_, name)| name)
}

/// Lowercase alphanumeric runs, split where a letter meets a digit (`qwen3` → `qwen`, `3`),
/// but not where a digit meets a letter (`14b`, `4o` stay whole). `free` is dropped.
fn tokens(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut current = String::new();
    let mut previous_alpha = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            let c = c.to_ascii_lowercase();
            if previous_alpha && c.is_ascii_digit() && !current.is_empty() {
                out.insert(std::mem::take(&mut current));
            }
            previous_alpha = c.is_ascii_alphabetic();
            current.push(c);
        } else {
            if !current.is_empty() {
                out.insert(std::mem::take(&mut current));
            }
            previous_alpha = false;
        }
    }
    if !current.is_empty() {
        out.insert(current);
    }
    out.remove("free");
    out
}

fn significant(token: &str) -> bool {
    token.bytes().any(|b| b.is_ascii_digit()) || STAGE_WORDS.contains(&token)
}

/// `2508`, `0528`, `2024`, `20260420`, or a zero-led month/day such as `05`.
fn date_like(token: &str) -> bool {
    token.bytes().all(|b| b.is_ascii_digit()) && (token.len() >= 4 || (token.len() == 2 && token.starts_with('0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_split() {
        assert_eq!(split_variant("a/b:free"), ("a/b", Some("free")));
        assert_eq!(split_variant("a/b"), ("a/b", None));
        assert_eq!(split_variant("~a/b-latest"), ("~a/b-latest", None));
        assert_eq!(split_variant("nocolon:free"), ("nocolon:free", None));
    }

    #[test]
    fn rules_rewrite() {
        assert_eq!(drop_date("codestral-2508").unwrap().0, "codestral");
        assert_eq!(drop_date("gpt-4o-2024-05-13").unwrap().0, "gpt-4o");
        assert_eq!(drop_date("gemini-2.5-pro-preview-05-06").unwrap().0, "gemini-2.5-pro-preview");
        assert_eq!(drop_date("qwen3.5-plus-20260420").unwrap().0, "qwen3.5-plus");
        assert_eq!(drop_date("command-r-08-2024").unwrap().0, "command-r");
        assert_eq!(drop_date("mistral-medium-3-5"), None);
        assert_eq!(dash_to_dot("mistral-medium-3-5").unwrap().0, "mistral-medium-3.5");
        assert_eq!(dash_to_dot("gemini-2.5-pro-preview-05-06"), None);
        assert_eq!(qwen_dash("qwen3-14b").unwrap().0, "qwen-3-14b");
        assert_eq!(qwen_dash("qwen-plus"), None);
        assert_eq!(drop_moe("qwen3-30b-a3b").unwrap().0, "qwen3-30b");
        assert_eq!(drop_inner_chat("deepseek-chat-v3.1").unwrap().0, "deepseek-v3.1");
        assert_eq!(drop_inner_chat("gpt-5.1-chat"), None);
        assert_eq!(drop_instruct("llama-3.2-11b-vision-instruct").unwrap().0, "llama-3.2-11b");
        let names: Vec<String> = propose("qwen3-30b-a3b").into_iter().map(|(name, _)| name).collect();
        assert!(names.contains(&"qwen-3-30b".to_owned()), "{names:?}");
    }

    #[test]
    fn name_tokens() {
        let t = |s: &str| tokens(s).into_iter().collect::<Vec<_>>();
        assert_eq!(t("Qwen3-14B"), ["14b", "3", "qwen"]);
        assert_eq!(t("Qwen 3.32B"), ["3", "32b", "qwen"]);
        assert_eq!(t("GPT-4o (2024-05-13)"), ["05", "13", "2024", "4o", "gpt"]);
        assert!(date_like("0528") && date_like("05") && !date_like("13") && !date_like("3"));
        assert!(significant("preview") && significant("70b") && !significant("instruct"));
    }
}
