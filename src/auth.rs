//! Credentials for the Vercel AI Gateway: an OIDC token first, then an API key.
//!
//! Design: resolution walks an ordered list of [`Source`]s over injected inputs (an explicit
//! token, the current request's `x-vercel-oidc-token` header, an [`Env`] snapshot, a clock), so
//! the precedence and expiry rules are tested without the process environment. Only two sources
//! touch the outside world: the token file (cached by modification time, so a request costs one
//! `stat`) and the opt-in local-development refresh through the Vercel CLI login (one HTTP call,
//! then cached in memory and in the CLI's own cache file).
//!
//! Rules: a JWT whose `exp` is within `skew` of now is skipped and reported in
//! [`Resolution::skipped`] (the binding logs it), never sent. A malformed token, an unreadable
//! token file or a failed refresh is an error, because silently falling through to another
//! credential would hide a broken setup. No message ever contains a token.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::config::{validate_base_url, Env, DEFAULT_VERCEL_API_URL};
use crate::error::{Error, Result};
use crate::jwt::{self, Claims};
use crate::secret::Secret;

/// Seconds before `exp` at which a token already counts as expired.
pub const DEFAULT_EXPIRY_SKEW_SECS: i64 = 60;
/// The request header that carries the per-request OIDC token on Vercel.
pub const OIDC_HEADER: &str = "x-vercel-oidc-token";
/// Turns the local-development refresh on (`1`, `true`, `yes`).
pub const DEV_REFRESH_VARIABLE: &str = "VERCEL_AI_GATEWAY_DEV_REFRESH";
/// Overrides the Vercel API origin used by the local-development refresh.
pub const REFRESH_URL_VARIABLE: &str = "VERCEL_AI_GATEWAY_REFRESH_URL";
const REFRESH_TIMEOUT: Duration = Duration::from_secs(30);

/// What kind of credential a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// A Vercel OIDC token (a JWT).
    Oidc,
    /// An AI Gateway API key.
    ApiKey,
}

impl Method {
    /// `"oidc"` or `"api_key"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Oidc => "oidc",
            Method::ApiKey => "api_key",
        }
    }
}

/// Where a credential can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Passed explicitly by the caller.
    Argument,
    /// The current request's `x-vercel-oidc-token` header.
    Header,
    /// `VERCEL_OIDC_TOKEN`.
    OidcEnv,
    /// The file named by `VERCEL_OIDC_TOKEN_FILE`.
    OidcFile,
    /// Minted through the Vercel CLI login for the linked project (local development).
    DevRefresh,
    /// `AI_GATEWAY_API_KEY`.
    ApiKeyEnv,
    /// `VERCEL_AI_GATEWAY_API_KEY`.
    VercelApiKeyEnv,
}

impl Source {
    /// The short name users see in `Credential.source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Argument => "argument",
            Source::Header => "header",
            Source::OidcEnv => "VERCEL_OIDC_TOKEN",
            Source::OidcFile => "VERCEL_OIDC_TOKEN_FILE",
            Source::DevRefresh => "vercel-cli",
            Source::ApiKeyEnv => "AI_GATEWAY_API_KEY",
            Source::VercelApiKeyEnv => "VERCEL_AI_GATEWAY_API_KEY",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Source::Argument => "the explicit api_key argument",
            Source::Header => "the request header x-vercel-oidc-token",
            Source::OidcEnv => "VERCEL_OIDC_TOKEN",
            Source::OidcFile => "the file named by VERCEL_OIDC_TOKEN_FILE",
            Source::DevRefresh => "the Vercel CLI login refresh",
            Source::ApiKeyEnv => "AI_GATEWAY_API_KEY",
            Source::VercelApiKeyEnv => "VERCEL_AI_GATEWAY_API_KEY",
        }
    }
}

/// Which kind of credential wins when both are available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Prefer {
    /// OIDC first, then API key (this package's default).
    #[default]
    Oidc,
    /// API key first, then OIDC (the order of Vercel's own SDKs).
    ApiKey,
}

impl Prefer {
    /// Parses `"oidc"` or `"api_key"`.
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "oidc" => Ok(Prefer::Oidc),
            "api_key" | "api-key" => Ok(Prefer::ApiKey),
            _ => Err(Error::config("prefer", "prefer must be \"oidc\" or \"api_key\".")),
        }
    }

    fn order(self) -> [Source; 7] {
        use Source::*;
        match self {
            Prefer::Oidc => [Argument, Header, OidcEnv, OidcFile, DevRefresh, ApiKeyEnv, VercelApiKeyEnv],
            Prefer::ApiKey => [Argument, ApiKeyEnv, VercelApiKeyEnv, Header, OidcEnv, OidcFile, DevRefresh],
        }
    }
}

/// Settings of the local-development refresh through the Vercel CLI login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevRefresh {
    /// The Vercel API origin (default `https://api.vercel.com`; tests point it at LocalGateway).
    pub api_url: Option<String>,
    /// Where to start looking for `.vercel/project.json` (default: the current directory).
    pub project_dir: Option<PathBuf>,
    /// The user data directory holding `com.vercel.cli/auth.json` (default: the platform's).
    pub data_dir: Option<PathBuf>,
}

/// How to resolve a credential.
#[derive(Debug, Clone, Default)]
pub struct AuthOptions {
    /// An explicit token (API key or OIDC JWT) that beats every other source.
    pub token: Option<Secret>,
    /// Which kind wins when both are available.
    pub prefer: Prefer,
    /// Seconds before `exp` at which a token counts as expired.
    pub skew_secs: Option<i64>,
    /// `Some` to enable the local-development refresh; `None` defers to
    /// `VERCEL_AI_GATEWAY_DEV_REFRESH`.
    pub dev_refresh: Option<DevRefresh>,
    /// `Some(false)` disables the refresh even when the environment enables it.
    pub dev_refresh_enabled: Option<bool>,
}

/// A resolved credential. Its `Debug` never shows the token.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    /// The bearer token.
    pub token: Secret,
    /// OIDC token or API key.
    pub method: Method,
    /// Where it came from.
    pub source: Source,
    /// `exp` of an OIDC token, seconds since the Unix epoch.
    pub expires_at: Option<i64>,
    /// The decoded claims of an OIDC token.
    pub claims: Option<Claims>,
}

/// A source that had a token which was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The source.
    pub source: Source,
    /// Why it was skipped, as a sentence (never containing the token).
    pub reason: String,
    /// The token's `exp`, so a caller can warn once per token rather than once per request.
    pub expires_at: Option<i64>,
}

/// The outcome of a successful resolution.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// The credential to send.
    pub credential: Credential,
    /// Sources holding a token that was skipped (for example expired), to be logged as warnings.
    pub skipped: Vec<Skipped>,
}

/// The inputs resolution reads besides its options.
pub struct AuthInputs<'a> {
    /// The current request's `x-vercel-oidc-token` header, when the app set a request context.
    pub header_token: Option<&'a str>,
    /// The environment snapshot.
    pub env: &'a dyn Env,
    /// Now, in seconds since the Unix epoch.
    pub now: i64,
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

enum Lookup {
    /// Nothing there; the string says what was looked at.
    Absent(String),
    /// A token and whether it must be an OIDC JWT.
    Token { raw: String, oidc_only: bool },
    /// A credential that is already validated (the refresh path).
    Ready(Credential),
}

struct Walk<'a> {
    opts: &'a AuthOptions,
    inputs: &'a AuthInputs<'a>,
    checked: Vec<String>,
    skipped: Vec<Skipped>,
}

impl Walk<'_> {
    fn skew(&self) -> i64 {
        self.opts.skew_secs.unwrap_or(DEFAULT_EXPIRY_SKEW_SECS)
    }

    fn fail(&self, source: Source, problem: &str, fix: &str) -> Error {
        let mut sources = self.checked.clone();
        sources.push(format!("{} ({problem})", source.describe()));
        Error::Credentials {
            message: format!(
                "The credential from {} cannot be used: {problem}. {fix} Sources checked, in order: {}.",
                source.describe(),
                sources.join("; ")
            ),
            sources_checked: sources,
            missing: false,
        }
    }

    /// Turns a raw token into a credential, or `None` when it is skipped as expired.
    fn accept(&mut self, source: Source, raw: &str, oidc_only: bool) -> Result<Option<Credential>> {
        let token = raw.trim();
        let is_jwt = oidc_only || jwt::looks_like_jwt(token);
        if !is_jwt {
            if token.chars().any(char::is_whitespace) {
                return Err(self.fail(
                    source,
                    "the API key contains whitespace",
                    "Copy the key again from the Vercel dashboard (AI Gateway → API Keys).",
                ));
            }
            return Ok(Some(Credential {
                token: Secret::new(token),
                method: Method::ApiKey,
                source,
                expires_at: None,
                claims: None,
            }));
        }
        let claims = jwt::decode_claims(token).map_err(|e| {
            self.fail(
                source,
                &format!("the OIDC token is malformed: {e}"),
                "Pass the token exactly as Vercel issued it (run `vercel env pull` for a fresh one).",
            )
        })?;
        if let Some(exp) = claims.exp {
            let skew = self.skew();
            if exp <= self.inputs.now + skew {
                let ago = self.inputs.now - exp;
                let reason = if ago >= 0 {
                    format!("the OIDC token from {} expired {ago} s ago; it was skipped", source.describe())
                } else {
                    format!(
                        "the OIDC token from {} expires in {} s, within the {skew} s safety margin; it was skipped",
                        source.describe(),
                        -ago
                    )
                };
                self.checked.push(format!("{} (expired)", source.describe()));
                self.skipped.push(Skipped { source, reason, expires_at: Some(exp) });
                return Ok(None);
            }
        }
        Ok(Some(Credential {
            token: Secret::new(token),
            method: Method::Oidc,
            source,
            expires_at: claims.exp,
            claims: Some(claims),
        }))
    }

    fn dev_refresh(&self) -> Option<DevRefresh> {
        match self.opts.dev_refresh_enabled {
            Some(false) => return None,
            Some(true) => return Some(self.opts.dev_refresh.clone().unwrap_or_default()),
            None => {}
        }
        if let Some(cfg) = &self.opts.dev_refresh {
            return Some(cfg.clone());
        }
        let on = self
            .inputs
            .env
            .var(DEV_REFRESH_VARIABLE)
            .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"));
        on.then(DevRefresh::default)
    }

    async fn lookup(&mut self, source: Source, http: &reqwest::Client) -> Result<Lookup> {
        let env = self.inputs.env;
        Ok(match source {
            Source::Argument => match &self.opts.token {
                Some(t) if !t.expose().trim().is_empty() => {
                    Lookup::Token { raw: t.expose().to_string(), oidc_only: false }
                }
                _ => Lookup::Absent("not given".into()),
            },
            Source::Header => match self.inputs.header_token {
                Some(t) if !t.trim().is_empty() => Lookup::Token { raw: t.to_string(), oidc_only: true },
                _ => Lookup::Absent("no request context with the header".into()),
            },
            Source::OidcEnv => match env.var("VERCEL_OIDC_TOKEN") {
                Some(t) => Lookup::Token { raw: t, oidc_only: true },
                None => Lookup::Absent("unset".into()),
            },
            Source::OidcFile => match env.var("VERCEL_OIDC_TOKEN_FILE") {
                None => Lookup::Absent("VERCEL_OIDC_TOKEN_FILE unset".into()),
                Some(path) => match read_token_file(Path::new(path.trim())) {
                    Ok(Some(t)) => Lookup::Token { raw: t, oidc_only: true },
                    Ok(None) => Lookup::Absent("the file is empty".into()),
                    Err(e) => {
                        return Err(self.fail(
                            source,
                            &format!("the file cannot be read ({e})"),
                            "Point VERCEL_OIDC_TOKEN_FILE at a readable file holding the token, or unset it.",
                        ))
                    }
                },
            },
            Source::DevRefresh => match self.dev_refresh() {
                None => Lookup::Absent(format!("disabled; set {DEV_REFRESH_VARIABLE}=1 to enable")),
                Some(cfg) => match refresh_for_dev(&cfg, env, self.inputs.now, self.skew(), http).await {
                    Ok(RefreshOutcome::NotApplicable(why)) => Lookup::Absent(why),
                    Ok(RefreshOutcome::Token(raw)) => match self.accept(source, &raw, true)? {
                        Some(c) => Lookup::Ready(c),
                        None => Lookup::Absent("the refreshed token was already expired".into()),
                    },
                    Err(problem) => {
                        return Err(self.fail(
                            source,
                            &problem,
                            "Run `vercel login` and `vercel link` in the project, or set AI_GATEWAY_API_KEY.",
                        ))
                    }
                },
            },
            Source::ApiKeyEnv => match env.var("AI_GATEWAY_API_KEY") {
                Some(t) => Lookup::Token { raw: t, oidc_only: false },
                None => Lookup::Absent("unset".into()),
            },
            Source::VercelApiKeyEnv => match env.var("VERCEL_AI_GATEWAY_API_KEY") {
                Some(t) => Lookup::Token { raw: t, oidc_only: false },
                None => Lookup::Absent("unset".into()),
            },
        })
    }
}

/// Resolves the credential to send, walking the sources in the order `opts.prefer` gives.
///
/// `http` is used only by the local-development refresh.
pub async fn resolve(opts: &AuthOptions, inputs: &AuthInputs<'_>, http: &reqwest::Client) -> Result<Resolution> {
    let mut walk = Walk { opts, inputs, checked: Vec::new(), skipped: Vec::new() };
    for source in opts.prefer.order() {
        let found = match walk.lookup(source, http).await? {
            Lookup::Absent(why) => {
                walk.checked.push(format!("{} ({why})", source.describe()));
                None
            }
            Lookup::Token { raw, oidc_only } => walk.accept(source, &raw, oidc_only)?,
            Lookup::Ready(c) => Some(c),
        };
        if let Some(credential) = found {
            return Ok(Resolution { credential, skipped: walk.skipped });
        }
    }
    let expired = if walk.skipped.is_empty() { "" } else { " Expired OIDC tokens were skipped." };
    Err(Error::Credentials {
        message: format!(
            "No credential for the Vercel AI Gateway.{expired} Set AI_GATEWAY_API_KEY to an AI Gateway API key, \
             run `vercel env pull` to get a VERCEL_OIDC_TOKEN, or deploy on Vercel with OIDC enabled. \
             Sources checked, in order: {}.",
            walk.checked.join("; ")
        ),
        sources_checked: walk.checked,
        missing: true,
    })
}

// ---- token file, cached by (mtime, len) so a request costs one stat ----

type FileStamp = (SystemTime, u64);
static TOKEN_FILES: Mutex<Option<HashMap<PathBuf, (FileStamp, String)>>> = Mutex::new(None);

fn read_token_file(path: &Path) -> std::io::Result<Option<String>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    let stamp = (meta.modified().unwrap_or(UNIX_EPOCH), meta.len());
    if let Ok(cache) = TOKEN_FILES.lock() {
        if let Some((s, token)) = cache.as_ref().and_then(|c| c.get(path)) {
            if *s == stamp {
                return Ok(Some(token.clone()));
            }
        }
    }
    let text = std::fs::read_to_string(path)?;
    let token = text.trim().to_string();
    if token.is_empty() {
        return Ok(None);
    }
    if let Ok(mut cache) = TOKEN_FILES.lock() {
        cache.get_or_insert_with(HashMap::new).insert(path.to_path_buf(), (stamp, token.clone()));
    }
    Ok(Some(token))
}

// ---- local-development refresh through the Vercel CLI login ----

enum RefreshOutcome {
    NotApplicable(String),
    Token(String),
}

static REFRESHED: Mutex<Option<HashMap<String, (i64, String)>>> = Mutex::new(None);

/// The platform's user data directory, as the Vercel CLI uses it.
fn user_data_dir(env: &dyn Env) -> Option<PathBuf> {
    if cfg!(target_os = "windows") {
        return env.var("LOCALAPPDATA").map(PathBuf::from);
    }
    if cfg!(target_os = "macos") {
        return env.var("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"));
    }
    env.var("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| env.var("HOME").map(|h| PathBuf::from(h).join(".local/share")))
}

fn find_project(start: &Path) -> Option<PathBuf> {
    start.ancestors().map(|d| d.join(".vercel").join("project.json")).find(|p| p.is_file())
}

fn json_file(path: &Path) -> std::result::Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{} cannot be read ({e})", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON ({e})", path.display()))
}

fn valid_cached(token: &str, now: i64, skew: i64) -> bool {
    jwt::decode_claims(token).is_ok_and(|c| c.exp.is_some_and(|exp| exp > now + skew))
}

async fn refresh_for_dev(
    cfg: &DevRefresh,
    env: &dyn Env,
    now: i64,
    skew: i64,
    http: &reqwest::Client,
) -> std::result::Result<RefreshOutcome, String> {
    let start = match &cfg.project_dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().map_err(|e| format!("the current directory is unknown ({e})"))?,
    };
    let Some(project_file) = find_project(&start) else {
        return Ok(RefreshOutcome::NotApplicable("no .vercel/project.json here or above; run `vercel link`".into()));
    };
    let project = json_file(&project_file)?;
    let Some(project_id) = project.get("projectId").and_then(Value::as_str).map(str::to_string) else {
        return Err(format!("{} has no projectId", project_file.display()));
    };
    let team_id = project.get("orgId").and_then(Value::as_str).map(str::to_string);

    if let Ok(cache) = REFRESHED.lock() {
        if let Some((_, token)) = cache.as_ref().and_then(|c| c.get(&project_id)) {
            if valid_cached(token, now, skew) {
                return Ok(RefreshOutcome::Token(token.clone()));
            }
        }
    }
    let data_dir = cfg.data_dir.clone().or_else(|| user_data_dir(env));
    let Some(data_dir) = data_dir else {
        return Ok(RefreshOutcome::NotApplicable("no user data directory (HOME unset)".into()));
    };
    let cache_file = data_dir.join("com.vercel.token").join(format!("{project_id}.json"));
    if let Ok(v) = json_file(&cache_file) {
        if let Some(token) = v.get("token").and_then(Value::as_str) {
            if valid_cached(token, now, skew) {
                remember(&project_id, now, token);
                return Ok(RefreshOutcome::Token(token.to_string()));
            }
        }
    }
    let auth_file = data_dir.join("com.vercel.cli").join("auth.json");
    if !auth_file.is_file() {
        return Ok(RefreshOutcome::NotApplicable(format!(
            "not logged in to the Vercel CLI ({} missing); run `vercel login`",
            auth_file.display()
        )));
    }
    let auth = json_file(&auth_file)?;
    let Some(cli_token) = auth.get("token").and_then(Value::as_str).filter(|t| !t.is_empty()) else {
        return Err(format!("{} holds no token; run `vercel login`", auth_file.display()));
    };

    let api_url = match cfg.api_url.clone().or_else(|| env.var(REFRESH_URL_VARIABLE)) {
        Some(u) => validate_base_url(&u, REFRESH_URL_VARIABLE).map_err(|e| e.to_string())?,
        None => DEFAULT_VERCEL_API_URL.to_string(),
    };
    let mut url = format!("{api_url}/v1/projects/{project_id}/token?source=vercel-oidc-refresh");
    if let Some(team) = &team_id {
        url.push_str("&teamId=");
        url.push_str(team);
    }
    let response =
        http.post(&url).bearer_auth(cli_token).timeout(REFRESH_TIMEOUT).send().await.map_err(|e| {
            format!("the Vercel API could not be reached ({})", crate::client::describe_reqwest_error(&e))
        })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the Vercel API answered HTTP {}", status.as_u16()));
    }
    let body: Value = response.json().await.map_err(|_| "the Vercel API answered with invalid JSON".to_string())?;
    let Some(token) = body.get("token").and_then(Value::as_str) else {
        return Err("the Vercel API answer has no token".into());
    };
    if jwt::decode_claims(token).is_err() {
        return Err("the Vercel API returned a token that is not a JWT".into());
    }
    save_cache_file(&cache_file, token);
    remember(&project_id, now, token);
    Ok(RefreshOutcome::Token(token.to_string()))
}

fn remember(project_id: &str, now: i64, token: &str) {
    if let Ok(mut cache) = REFRESHED.lock() {
        cache.get_or_insert_with(HashMap::new).insert(project_id.to_string(), (now, token.to_string()));
    }
}

/// Writes the refreshed token where the Vercel CLI tools look for it (dir 0700, file 0600).
/// Failure only costs a later refresh, so it is ignored.
fn save_cache_file(path: &Path, token: &str) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let body = serde_json::json!({ "token": token }).to_string();
    #[cfg(unix)]
    {
        use std::io::Write as _;
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path) {
            let _ = f.write_all(body.as_bytes());
        }
    }
    #[cfg(not(unix))]
    {
        let _ = std::fs::write(path, body);
    }
}

/// Forgets every cached refreshed token (for tests, and after `os.fork()` is not needed: the
/// cache holds only strings).
pub fn clear_refresh_cache() {
    if let Ok(mut cache) = REFRESHED.lock() {
        *cache = None;
    }
}
