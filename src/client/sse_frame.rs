//! Server-sent-events framing: bytes from the network in, events out, in linear time.
//!
//! Design: this follows the WHATWG "interpreting an event stream" rules (lines end in LF, CRLF
//! or a lone CR, also when the CR and LF arrive in different reads; a leading BOM is dropped;
//! `:` starts a comment; `data` lines accumulate, a blank line dispatches; an event without
//! data is not dispatched; what is left unfinished at the end of the body is discarded). Only
//! `data` and `event` are kept: the client never reconnects, so `id` and `retry` do not matter.
//!
//! Why our own rather than a crate: `eventsource-stream` 0.2, which we used before, appends each
//! network read to one `String`, parses that whole buffer again for a line ending, and copies
//! the rest of the buffer after every line it takes, so a long line (a base64 image delta, or a
//! hostile server) costs time quadratic in its length: a 4 MiB line read 64 KiB at a time took
//! ~19 s of CPU, so the line limit was reached only after minutes. Here every byte is looked at
//! once (`memchr`), a read that ends on a line boundary is parsed in place without copying, and
//! only an unfinished line is carried over; it and the event being built are both bounded by
//! the limit, so memory is bounded too.

use std::collections::VecDeque;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    /// The `event:` field (empty when the server sent none, which means "message").
    pub event: String,
    /// The `data:` lines joined by `\n`.
    pub data: String,
}

/// Why a body could not be framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// A line, or the data of one event, grew past the limit.
    TooLong,
    /// A line is not valid UTF-8.
    Utf8,
}

/// An incremental SSE decoder: [`Decoder::feed`] each read, then take [`Decoder::next_event`]
/// until it returns `None`.
#[derive(Debug)]
pub struct Decoder {
    max_line: usize,
    /// The unfinished last line of the reads so far.
    line: Vec<u8>,
    /// The previous read ended in CR: an LF at the start of the next ends the same line.
    skip_lf: bool,
    /// Whether the first line (which may start with a BOM) was seen.
    started: bool,
    data: String,
    event: String,
    ready: VecDeque<Event>,
    /// Set at the first error; nothing is decoded after it.
    error: Option<FrameError>,
    error_taken: bool,
}

impl Decoder {
    /// A decoder failing with [`FrameError::TooLong`] once a line or an event's data exceeds
    /// `max_line` bytes.
    pub fn new(max_line: usize) -> Self {
        Decoder {
            max_line,
            line: Vec::new(),
            skip_lf: false,
            started: false,
            data: String::new(),
            event: String::new(),
            ready: VecDeque::new(),
            error: None,
            error_taken: false,
        }
    }

    /// Decodes one read. Events completed by it are queued; after an error the rest of the
    /// input is ignored, and the error comes out of [`Decoder::next_event`] after the events
    /// completed before it.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if self.error.is_some() || bytes.is_empty() {
            return;
        }
        if std::mem::take(&mut self.skip_lf) && bytes[0] == b'\n' {
            bytes = &bytes[1..];
        }
        while let Some(i) = memchr::memchr2(b'\n', b'\r', bytes) {
            let result = if self.line.is_empty() {
                self.line_done(&bytes[..i])
            } else {
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(&bytes[..i]);
                let result = self.line_done(&line);
                line.clear();
                self.line = line;
                result
            };
            if let Err(e) = result {
                self.fail(e);
                return;
            }
            let cr = bytes[i] == b'\r';
            bytes = &bytes[i + 1..];
            if cr {
                match bytes.first() {
                    Some(b'\n') => bytes = &bytes[1..],
                    None => self.skip_lf = true,
                    Some(_) => {}
                }
            }
        }
        if self.line.len() + bytes.len() > self.max_line {
            self.fail(FrameError::TooLong);
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    /// The next complete event, then (once) the error that stopped decoding, then `None`.
    pub fn next_event(&mut self) -> Option<Result<Event, FrameError>> {
        if let Some(event) = self.ready.pop_front() {
            return Some(Ok(event));
        }
        match self.error {
            Some(e) if !self.error_taken => {
                self.error_taken = true;
                Some(Err(e))
            }
            _ => None,
        }
    }

    /// Ends the input leniently: an unfinished last line counts as finished and the event being
    /// built is dispatched, as if the body had ended in a blank line. For observers (telemetry)
    /// that should not miss a last event only because the server did not end it properly; the
    /// client itself does not call this, since the standard drops such an event.
    pub fn end(&mut self) {
        if self.error.is_some() {
            return;
        }
        self.skip_lf = false;
        let line = std::mem::take(&mut self.line);
        if !line.is_empty() {
            if let Err(e) = self.line_done(&line) {
                self.fail(e);
                return;
            }
        }
        self.dispatch();
    }

    fn fail(&mut self, e: FrameError) {
        self.error = Some(e);
        self.line = Vec::new();
        self.data = String::new();
    }

    fn line_done(&mut self, line: &[u8]) -> Result<(), FrameError> {
        if line.len() > self.max_line {
            return Err(FrameError::TooLong);
        }
        let mut text = std::str::from_utf8(line).map_err(|_| FrameError::Utf8)?;
        if !self.started {
            self.started = true;
            text = text.strip_prefix('\u{feff}').unwrap_or(text);
        }
        if text.is_empty() {
            self.dispatch();
            return Ok(());
        }
        let (field, value) = match text.find(':') {
            Some(0) => return Ok(()),
            Some(colon) => {
                let value = &text[colon + 1..];
                (&text[..colon], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (text, ""),
        };
        match field {
            "data" => {
                if self.data.len() + value.len() + 1 > self.max_line.saturating_add(1) {
                    return Err(FrameError::TooLong);
                }
                self.data.push_str(value);
                self.data.push('\n');
            }
            "event" => value.clone_into(&mut self.event),
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self) {
        if self.data.is_empty() {
            self.event.clear();
            return;
        }
        self.data.pop();
        let event = Event { event: std::mem::take(&mut self.event), data: std::mem::take(&mut self.data) };
        self.ready.push_back(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in(pieces: &[&[u8]], max_line: usize) -> (Vec<Event>, Option<FrameError>) {
        let mut decoder = Decoder::new(max_line);
        for piece in pieces {
            decoder.feed(piece);
        }
        let mut events = Vec::new();
        while let Some(item) = decoder.next_event() {
            match item {
                Ok(e) => events.push(e),
                Err(e) => {
                    assert!(decoder.next_event().is_none(), "the error comes once, last");
                    return (events, Some(e));
                }
            }
        }
        (events, None)
    }

    fn data(events: &[Event]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn every_line_ending_and_every_split_gives_the_same_events() {
        for ending in ["\n", "\r\n", "\r"] {
            let body =
                ["\u{feff}: comment", "event: delta", "data: {\"a\":1}", "data:  two", "", "data", "", "id: 7", ""]
                    .join(ending);
            let body = body.as_bytes();
            for cut in 0..=body.len() {
                for cut2 in cut..=body.len() {
                    let (events, error) = decode_in(&[&body[..cut], &body[cut..cut2], &body[cut2..]], 1 << 20);
                    assert_eq!(error, None);
                    assert_eq!(data(&events), ["{\"a\":1}\n two", ""], "{ending:?} at {cut}/{cut2}");
                    assert_eq!(events[0].event, "delta");
                }
            }
        }
    }

    #[test]
    fn an_event_without_data_is_not_dispatched_and_unfinished_input_is_dropped() {
        let (events, error) = decode_in(&[b"event: ping\n\ndata: x\n\ndata: unfinished\n"], 100);
        assert_eq!((data(&events), error), (vec!["x"], None));
        assert_eq!(events[0].event, "", "the event type resets after an event without data");
    }

    #[test]
    fn only_one_bom_at_the_very_start_is_dropped() {
        let (events, _) = decode_in(&[b"\xef\xbb", b"\xbfdata: a\n\n\xef\xbb\xbfdata: b\n\n"], 100);
        assert_eq!(data(&events), ["a"], "a BOM later makes an unknown field");
    }

    #[test]
    fn a_cr_then_lf_in_separate_reads_is_one_line_end() {
        let (events, _) = decode_in(&[b"data: a\r", b"\n\r", b"\ndata: b\r\r"], 100);
        assert_eq!(data(&events), ["a", "b"]);
    }

    #[test]
    fn lines_and_events_over_the_limit_fail_after_the_events_before_them() {
        let (events, error) = decode_in(&[b"data: ok\n\ndata: ", b"0123456789", b"0123456789\n\n"], 16);
        assert_eq!((data(&events), error), (vec!["ok"], Some(FrameError::TooLong)));
        let (events, error) = decode_in(&[b"data: 0123456789\n\n"], 16);
        assert_eq!((events.len(), error), (1, None), "a line of exactly the limit fits");
        let (events, error) = decode_in(&[b"data: 0123456789\ndata: 0123456789\n\n"], 16);
        assert_eq!((events.len(), error), (0, Some(FrameError::TooLong)), "the event's data is bounded too");
        let mut decoder = Decoder::new(16);
        decoder.feed(&[b'a'; 17]);
        decoder.feed(b"\n\ndata: x\n\n");
        assert_eq!(decoder.next_event(), Some(Err(FrameError::TooLong)));
        assert_eq!(decoder.next_event(), None, "nothing is decoded after the error");
    }

    #[test]
    fn end_finishes_an_unterminated_last_event() {
        let mut decoder = Decoder::new(100);
        decoder.feed(b"data: a\n\ndata: b\ndata: c");
        decoder.end();
        let got: Vec<_> = std::iter::from_fn(|| decoder.next_event()).collect();
        assert_eq!(
            got,
            [
                Ok(Event { event: String::new(), data: "a".into() }),
                Ok(Event { event: String::new(), data: "b\nc".into() })
            ]
        );
        decoder.end();
        assert_eq!(decoder.next_event(), None, "ending twice adds nothing");
    }

    #[test]
    fn invalid_utf8_is_an_error_even_when_split_across_reads() {
        let (events, error) = decode_in(&[b"data: \xe2\x82", b"\xac\n\n"], 100);
        assert_eq!((data(&events), error), (vec!["\u{20ac}"], None), "a split character is fine");
        let (_, error) = decode_in(&[b"data: \xff\n\n"], 100);
        assert_eq!(error, Some(FrameError::Utf8));
    }

    #[test]
    fn a_long_line_costs_linear_time() {
        // 32 MiB in 4 KiB reads: with quadratic work this would not end; linear takes a fraction of
        // a second even in a debug build.
        let mut decoder = Decoder::new(usize::MAX);
        decoder.feed(b"data: ");
        let piece = [b'a'; 4096];
        for _ in 0..(32 << 20) / 4096 {
            decoder.feed(&piece);
        }
        decoder.feed(b"\n\n");
        let event = decoder.next_event().unwrap().unwrap();
        assert_eq!(event.data.len(), 32 << 20);
    }
}
