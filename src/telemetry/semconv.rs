//! Attribute and metric names: the GenAI semantic conventions and our own `ai_gateway.*` keys.
//!
//! Design: the GenAI conventions moved to their own repository and every `GEN_AI_*` constant of
//! `opentelemetry-semantic-conventions` is deprecated (spec/telemetry-and-crates.md §6), so the
//! names are spelled here, in one table, to switch easily when the conventions change (the
//! token-usage histogram is due to be replaced by counters). Our own attributes use the
//! `ai_gateway.` prefix so they cannot collide with a convention.

use std::borrow::Cow;

/// `gen_ai.operation.name`: `chat`, `embeddings`, … (required).
pub const OPERATION_NAME: &str = "gen_ai.operation.name";
/// `gen_ai.provider.name`: `openai`, `anthropic`, `x_ai`, … (required).
pub const PROVIDER_NAME: &str = "gen_ai.provider.name";
/// `gen_ai.request.model`: the model id as requested.
pub const REQUEST_MODEL: &str = "gen_ai.request.model";
/// `gen_ai.request.stream`: set only for streamed calls.
pub const REQUEST_STREAM: &str = "gen_ai.request.stream";
/// `gen_ai.request.max_tokens`.
pub const REQUEST_MAX_TOKENS: &str = "gen_ai.request.max_tokens";
/// `gen_ai.request.temperature`.
pub const REQUEST_TEMPERATURE: &str = "gen_ai.request.temperature";
/// `gen_ai.request.top_p`.
pub const REQUEST_TOP_P: &str = "gen_ai.request.top_p";
/// `gen_ai.request.seed`.
pub const REQUEST_SEED: &str = "gen_ai.request.seed";
/// `gen_ai.request.choice.count` (only when not 1).
pub const REQUEST_CHOICE_COUNT: &str = "gen_ai.request.choice.count";
/// `gen_ai.response.model`: the model that answered.
pub const RESPONSE_MODEL: &str = "gen_ai.response.model";
/// `gen_ai.response.id`: the gateway's `gen_…` id.
pub const RESPONSE_ID: &str = "gen_ai.response.id";
/// `gen_ai.response.finish_reasons` (string array).
pub const RESPONSE_FINISH_REASONS: &str = "gen_ai.response.finish_reasons";
/// `gen_ai.response.time_to_first_chunk` in seconds (streams).
pub const RESPONSE_TIME_TO_FIRST_CHUNK: &str = "gen_ai.response.time_to_first_chunk";
/// `gen_ai.usage.input_tokens` (cached tokens included).
pub const USAGE_INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
/// `gen_ai.usage.output_tokens`.
pub const USAGE_OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
/// `gen_ai.usage.cache_read.input_tokens`.
pub const USAGE_CACHE_READ_INPUT_TOKENS: &str = "gen_ai.usage.cache_read.input_tokens";
/// `gen_ai.usage.reasoning.output_tokens`.
pub const USAGE_REASONING_OUTPUT_TOKENS: &str = "gen_ai.usage.reasoning.output_tokens";
/// `gen_ai.input.messages` (opt-in content, JSON string).
pub const INPUT_MESSAGES: &str = "gen_ai.input.messages";
/// `gen_ai.output.messages` (opt-in content, JSON string).
pub const OUTPUT_MESSAGES: &str = "gen_ai.output.messages";
/// `gen_ai.token.type` on the token-usage metric: `input` or `output`.
pub const TOKEN_TYPE: &str = "gen_ai.token.type";
/// `server.address`: the gateway host.
pub const SERVER_ADDRESS: &str = "server.address";
/// `server.port`.
pub const SERVER_PORT: &str = "server.port";
/// `error.type`: the gateway's error type, the HTTP status, or a transport class.
pub const ERROR_TYPE: &str = "error.type";

/// `ai_gateway.name`: which gateway served the call (`vercel`, `openrouter`).
pub const GATEWAY: &str = "ai_gateway.name";
/// `ai_gateway.route`: the routing decision, as the router explains it.
pub const ROUTE: &str = "ai_gateway.route";
/// `ai_gateway.attempts`: HTTP attempts made (retries + 1).
pub const ATTEMPTS: &str = "ai_gateway.attempts";
/// `ai_gateway.retries`: retries made.
pub const RETRIES: &str = "ai_gateway.retries";
/// `ai_gateway.cost`: the cost the gateway reported, in USD.
pub const COST: &str = "ai_gateway.cost";
/// `ai_gateway.upstream_provider`: the provider the gateway finally used.
pub const UPSTREAM_PROVIDER: &str = "ai_gateway.upstream_provider";
/// `ai_gateway.stream.chunks`: chunks a stream delivered.
pub const STREAM_CHUNKS: &str = "ai_gateway.stream.chunks";
/// `ai_gateway.stream.completed`: false when the caller stopped reading early.
pub const STREAM_COMPLETED: &str = "ai_gateway.stream.completed";

/// Histogram of call durations, seconds (required by the conventions).
pub const METRIC_OPERATION_DURATION: &str = "gen_ai.client.operation.duration";
/// Histogram of tokens per call, by `gen_ai.token.type`.
pub const METRIC_TOKEN_USAGE: &str = "gen_ai.client.token.usage";
/// Histogram of time to a stream's first chunk, seconds.
pub const METRIC_TIME_TO_FIRST_CHUNK: &str = "gen_ai.client.operation.time_to_first_chunk";

/// Bucket advice for durations: 0.01 s doubling to 81.92 s.
pub const DURATION_BUCKETS: [f64; 14] =
    [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/// Bucket advice for token counts: 1, ×4, up to 67 108 864.
pub const TOKEN_BUCKETS: [f64; 14] = [
    1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 16777216.0,
    67108864.0,
];

/// The `gen_ai.provider.name` for a model id's creator prefix (`anthropic/claude-…` →
/// `anthropic`). Well-known creators map to the conventions' values; others are passed through.
pub fn provider_name(model: &str) -> Cow<'static, str> {
    let creator = model.split_once('/').map_or("", |(c, _)| c).to_ascii_lowercase();
    let known = match creator.as_str() {
        "openai" => "openai",
        "anthropic" => "anthropic",
        "google" | "gemini" => "gcp.gemini",
        "vertex" => "gcp.vertex_ai",
        "xai" | "x-ai" => "x_ai",
        "mistral" | "mistralai" => "mistral_ai",
        "deepseek" => "deepseek",
        "cohere" => "cohere",
        "groq" => "groq",
        "moonshotai" | "moonshot" => "moonshot_ai",
        "perplexity" => "perplexity",
        "amazon" | "bedrock" => "aws.bedrock",
        "azure" => "azure.ai.openai",
        "ibm" => "ibm.watsonx.ai",
        "" => "_OTHER",
        other => return Cow::Owned(other.to_string()),
    };
    Cow::Borrowed(known)
}
