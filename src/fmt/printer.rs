//! The layout engine shared by contracts and scenarios: the output text, the comments of the
//! source and where each goes.
//!
//! The grammars treat comments as whitespace, so the syntax tree has none. They are found
//! here by a lexical scan that knows string literals (`"a // b"` holds no comment), and are
//! given back by position as the printer walks the tree in source order:
//!
//! - a comment before an element (a declaration, a clause line, a field, a band arm) is
//!   printed on its own line before it, at its indentation;
//! - a comment after an element, on the same line with only `,` between, stays at the end
//!   of that line;
//! - a comment inside an element that the printer lays out on one line is moved onto its own
//!   line before it (or after it, when the element holds a `band` that comes before the
//!   comment), so no comment is lost and their order never changes.

use crate::source::Span;

/// A `//` comment: from the slashes to the end of its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Comment {
    pub start: usize,
    pub end: usize,
}

/// Every comment of a source text, in order. Outside string literals, `//` always starts a
/// comment in both grammars.
pub(crate) fn comments(src: &str) -> Vec<Comment> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if in_string {
            match b {
                // `\"` and `\\`: the escaped character cannot end the string.
                b'\\' => i += 2,
                b'"' | b'\n' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = bytes
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
                    .map_or(bytes.len(), |n| i + n);
                out.push(Comment { start: i, end });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The text of each comment, as the formatter prints it (trailing whitespace dropped).
pub(crate) fn comment_texts(src: &str) -> Vec<&str> {
    comments(src)
        .iter()
        .map(|c| src.get(c.start..c.end).unwrap_or("").trim_end())
        .collect()
}

/// The output being built, and the comments not yet placed.
pub(crate) struct Printer<'a> {
    pub src: &'a str,
    comments: Vec<Comment>,
    /// The first comment not yet printed.
    next: usize,
    pub out: String,
    /// Where, in the source, the last thing printed ends (for blank lines).
    last: usize,
    /// At the start of a block (the file, a clause body, a band): no blank line before the
    /// next thing printed.
    fresh: bool,
}

impl<'a> Printer<'a> {
    pub fn new(src: &'a str) -> Printer<'a> {
        Printer {
            src,
            comments: comments(src),
            next: 0,
            out: String::with_capacity(src.len() + src.len() / 8),
            last: 0,
            fresh: true,
        }
    }

    pub fn text(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or("")
    }

    fn comment_text(&self, c: Comment) -> &'a str {
        self.text(c.start, c.end).trim_end()
    }

    pub fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn indent(&mut self, level: usize) {
        for _ in 0..level {
            self.out.push_str("  ");
        }
    }

    /// The next element starts a block: no blank line before it.
    pub fn open_block(&mut self) {
        self.fresh = true;
    }

    /// A span without the whitespace and comments at its end: pest's spans take in what it
    /// skipped while trying an optional part that was not there (`party client // …`).
    pub fn tight(&self, span: Span) -> Span {
        let mut end = span.end;
        loop {
            let text = self.text(span.start, end);
            end = span.start + text.trim_end().len();
            // The comment that ends at `end`, if any.
            let i = self.comments.partition_point(|c| c.end < end);
            match self.comments.get(i) {
                Some(c) if c.start < end && c.start >= span.start => end = c.start,
                _ => return Span::new(span.start, end),
            }
        }
    }

    /// Whether the source has an empty line between two offsets.
    fn blank_between(&self, a: usize, b: usize) -> bool {
        if a >= b {
            return false;
        }
        let gap = self.text(a, b);
        let mut lines = gap.split('\n');
        // The first piece is the rest of a's line, the last the start of b's line.
        lines.next();
        let whole: Vec<&str> = lines.collect();
        whole
            .iter()
            .take(whole.len().saturating_sub(1))
            .any(|l| l.trim().is_empty())
    }

    /// Whether a comment not yet printed starts before `pos`.
    pub fn comment_before(&self, pos: usize) -> bool {
        self.comments.get(self.next).is_some_and(|c| c.start < pos)
    }

    /// Prints every comment that starts before `pos` on its own line.
    pub fn leading(&mut self, pos: usize, level: usize) {
        while let Some(&c) = self.comments.get(self.next) {
            if c.start >= pos {
                break;
            }
            self.next += 1;
            if !self.fresh && self.blank_between(self.last, c.start) {
                self.out.push('\n');
            }
            self.fresh = false;
            self.indent(level);
            let text = self.comment_text(c);
            self.out.push_str(text);
            self.out.push('\n');
            self.last = self.last.max(c.end);
        }
    }

    /// Starts the line of an element that starts at `pos`, after a blank line when the
    /// source has one before it.
    pub fn begin(&mut self, pos: usize, level: usize) {
        if !self.fresh && self.blank_between(self.last, pos) {
            self.out.push('\n');
        }
        self.fresh = false;
        self.indent(level);
    }

    /// The comment that follows `end` on the same line, with nothing but `,` between.
    fn trailing(&mut self, end: usize) -> Option<Comment> {
        let c = *self.comments.get(self.next)?;
        if c.start < end {
            return None;
        }
        let gap = self.text(end, c.start);
        if gap
            .chars()
            .all(|ch| ch == ',' || (ch.is_whitespace() && ch != '\n'))
        {
            self.next += 1;
            Some(c)
        } else {
            None
        }
    }

    /// Ends the line of an element that ends at `end`: the comments left inside it go on
    /// lines of their own after it, and a comment after it on its last line stays there.
    pub fn finish_line(&mut self, end: usize, level: usize) {
        let mut inner = Vec::new();
        while let Some(&c) = self.comments.get(self.next) {
            if c.start >= end {
                break;
            }
            self.next += 1;
            inner.push(c);
        }
        self.last = self.last.max(end);
        let trailing = self.trailing(end);
        if inner.is_empty() {
            if let Some(c) = trailing {
                self.out.push(' ');
                let text = self.comment_text(c);
                self.out.push_str(text);
            }
        }
        self.out.push('\n');
        if !inner.is_empty() {
            for c in inner.into_iter().chain(trailing) {
                self.indent(level);
                let text = self.comment_text(c);
                self.out.push_str(text);
                self.out.push('\n');
            }
        }
        if let Some(c) = trailing {
            self.last = self.last.max(c.end);
        }
    }

    /// A whole element on one line: its leading comments, then the text `write` prints
    /// (which may open blocks of its own, a `band`), then its trailing comment. Comments
    /// inside the element up to `hoist` are printed before it.
    pub fn element(
        &mut self,
        span: Span,
        hoist: usize,
        level: usize,
        write: impl FnOnce(&mut Printer<'a>),
    ) {
        let span = self.tight(span);
        self.leading(span.start, level);
        self.leading(hoist.min(span.end), level);
        self.begin(span.start, level);
        write(self);
        self.finish_line(span.end, level);
    }

    /// The closing line of a block (`}`) at `pos`: the comments before it, indented one
    /// level deeper, then the text. The caller ends the line.
    pub fn close(&mut self, pos: usize, level: usize, text: &str) {
        self.leading(pos, level + 1);
        self.indent(level);
        self.out.push_str(text);
        self.fresh = false;
    }

    /// Prints every comment left, each on its own line (the end of the file).
    pub fn rest(&mut self) {
        self.leading(usize::MAX, 0);
    }

    /// The offset of the first character at or after `pos` that is neither whitespace nor
    /// in a comment.
    pub fn next_solid(&self, mut pos: usize) -> usize {
        loop {
            let rest = self.text(pos, self.src.len());
            let trimmed = rest.trim_start();
            pos += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else {
                return pos;
            }
        }
    }

    /// The word (letters, digits, `_`) at the first solid character at or after `pos`.
    pub fn word_at(&self, pos: usize) -> &'a str {
        let start = self.next_solid(pos);
        let rest = self.text(start, self.src.len());
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        rest.get(..len).unwrap_or("")
    }
}

/// A string literal: the text between quotes, with `\` and `"` escaped.
pub(crate) fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Source text with each run of whitespace made one space (`EUR  5.00`, `30  days`).
pub(crate) fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_strings() {
        let src = "a \"x // y\" // one\n\"\\\"//\" b // two\n// three";
        let texts = comment_texts(src);
        assert_eq!(texts, vec!["// one", "// two", "// three"]);
    }

    #[test]
    fn blank_lines_are_lines_with_only_whitespace() {
        let p = Printer::new("a\n\nb\nc\n  \nd");
        assert!(p.blank_between(1, 3));
        assert!(!p.blank_between(3, 5));
        assert!(p.blank_between(5, 10));
    }
}
