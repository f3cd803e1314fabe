"""YAML text in and out, the way DL4J's YAML mapper (Jackson 2.13 ``YAMLFactory`` over SnakeYAML) writes it.

``toYaml()`` of MultiLayerConfiguration, ComputationGraphConfiguration, NeuralNetConfiguration and
FineTuneConfiguration is the same tree as their JSON, written as DL4J writes it (checked character for
character against DL4J in the JVM, tests/conf/test_yaml_dl4j.py):

* ``---`` first; a polymorphic object's type id (``"@class"``, or ``"type"`` for distributions and
  FineTuneConfiguration) becomes a tag ``!<org...Class>`` (the document's own on the ``---`` line);
* block style: ``key: value``, two spaces per mapping level, sequences not indented under their key
  (``key:`` then ``- item``), a mapping inside a sequence item starting on the dash line, ``{}`` / ``[]`` for
  empty collections;
* string values always double-quoted (SnakeYAML's escapes: ``\\"``, ``\\\\``, ``\\n``, ``\\t``, ``\\x01``...,
  long strings folded at column 80 with ``\\`` continuations); keys plain, double-quoted when YAML would
  read them as something else (``"n"``, ``"y"``, ``"1"``, ``"-a"``...), single-quoted when they hold YAML
  indicators (``'a: b'``);
* numbers as Java prints them (``1.0E-8``, ``NaN``, ``-Infinity``), ``null``, ``true`` / ``false``.

``loads`` reads that dialect back (block mappings and sequences, tags, quoted and plain scalars, ``{}`` / ``[]``)
and refuses anything else with a :class:`MalformedConfigError` naming the line.
"""

from __future__ import annotations

import math
import re

from pydl4j_transfer.errors import MalformedConfigError

from .jsonio import java_double

WIDTH = 80  # SnakeYAML's DumperOptions.width (Jackson's default): where long double-quoted strings fold
TYPE_KEYS = ("@class", "type")
_ESCAPES = {"\0": "0", "\x07": "a", "\b": "b", "\t": "t", "\n": "n", "\x0b": "v", "\f": "f", "\r": "r",
            "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P"}
_UNESCAPES = {v: k for k, v in _ESCAPES.items()} | {" ": " ", "/": "/", "\t": "\t"}
# Jackson's StringQuotingChecker.Default: names YAML 1.1 would read as a boolean or null
_RESERVED = {"false", "False", "FALSE", "n", "N", "no", "No", "NO", "null", "Null", "NULL", "on", "On", "ON", "off",
             "Off", "OFF", "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "~"}


# ---------------------------------------------------------------------------------------------------------------
# writing


def _printable(ch: str) -> bool:
    """SnakeYAML's StreamReader.isPrintable."""
    c = ord(ch)
    return (0x20 <= c <= 0x7E or c in (0x9, 0xA, 0xD, 0x85) or 0xA0 <= c <= 0xD7FF or 0xE000 <= c <= 0xFFFD
            or 0x10000 <= c <= 0x10FFFF)


def _escape(ch: str) -> str:
    if ch in _ESCAPES:
        return "\\" + _ESCAPES[ch]
    if _printable(ch):
        return ch
    c = ord(ch)
    if c <= 0xFF:
        return f"\\x{c:02x}"
    return f"\\u{c:04x}" if c <= 0xFFFF else f"\\U{c:08x}"


def _double_quoted(text: str, column: int, indent: int) -> str:
    """SnakeYAML's Emitter.writeDoubleQuoted (split lines on): ``column`` is where the opening quote goes;
    continuation lines start at ``indent``."""
    out = ['"']
    column += 1
    start = end = 0
    n = len(text)
    while end <= n:
        ch = text[end] if end < n else None
        if ch is None or ch in '"\\\x85\u2028\u2029\ufeff' or not (" " <= ch <= "~"):
            if start < end:
                out.append(text[start:end])
                column += end - start
                start = end
            if ch is not None:
                data = _escape(ch)
                out.append(data)
                column += len(data)
                start = end + 1
        if 0 < end < n - 1 and (ch == " " or start >= end) and column + (end - start) > WIDTH:
            data = (text[start:end] if start < end else "") + "\\"
            if start < end:
                start = end
            out.append(data + "\n" + " " * indent)
            column = indent
            if text[start] == " ":
                out.append("\\")
                column += 1
        end += 1
    out.append('"')
    return "".join(out)


def _key(name: str) -> str:
    """A mapping key as Jackson/SnakeYAML write it: plain, or quoted when it must be."""
    if name in _RESERVED or name == "" or name[0] in "0123456789-+.":
        return _double_quoted(name, 0, 0)
    if any(not (" " <= ch <= "~") and not (_printable(ch) and ord(ch) >= 0xA0) for ch in name):
        return _double_quoted(name, 0, 0)
    plain = not (name[0] in "#,[]{}&*!|>'\"%@`" or name[0] in "?:-" and (len(name) == 1 or name[1] == " ")
                 or name[0] == " " or name[-1] == " " or ": " in name or " #" in name or name.endswith(":"))
    return name if plain else "'" + name.replace("'", "''") + "'"


def _scalar(value, column: int, indent: int) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, str):
        return _double_quoted(value, column, indent)
    raise TypeError(f"cannot write {type(value).__name__} as YAML: {value!r}")


def _tag(value):
    """(class name, the other items) when ``value`` is a typed object (its type id first), else (None, value)."""
    if isinstance(value, dict) and value:
        first = next(iter(value))
        if first in TYPE_KEYS and isinstance(value[first], str) and "." in value[first]:
            return value[first], {k: v for k, v in value.items() if k != first}
    return None, value


def _after_key(value, indent: int, column: int, out: list) -> None:
    """The value of a ``key:`` written at ``indent`` (the line so far ends at ``column``)."""
    tag, value = _tag(value)
    if tag is not None:
        out.append(f" !<{tag}>")
        if not value:
            out.append(" {}")
        else:
            out.append("\n")
            _mapping(value, indent + 2, out)
        return
    if isinstance(value, dict):
        if not value:
            out.append(" {}")
        else:
            out.append("\n")
            _mapping(value, indent + 2, out)
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append(" []")
        else:
            out.append("\n")
            _sequence(value, indent, out)
    else:
        out.append(" " + _scalar(value, column + 1, indent + 2))


def _mapping(items: dict, indent: int, out: list, first_inline: bool = False) -> None:
    for i, (key, value) in enumerate(items.items()):
        text = str(key) if isinstance(key, int) else _key(str(key))
        if text.startswith('""') and str(key) == "":
            text = '? ""\n' + " " * indent
        prefix = "" if (first_inline and i == 0) else " " * indent
        out.append(prefix + text + ":")
        _after_key(value, indent, indent + len(text.rsplit("\n", 1)[-1]) + 1, out)
        if not out[-1].endswith("\n"):
            out.append("\n")


def _sequence(items, indent: int, out: list, first_inline: bool = False) -> None:
    for i, item in enumerate(items):
        out.append(("" if (first_inline and i == 0) else " " * indent) + "- ")
        tag, value = _tag(item)
        if tag is not None:
            out.append(f"!<{tag}>")
            if not value:
                out.append(" {}\n")
            else:
                out.append("\n")
                _mapping(value, indent + 2, out)
        elif isinstance(value, dict):
            if value:
                _mapping(value, indent + 2, out, first_inline=True)
            else:
                out.append("{}\n")
        elif isinstance(value, (list, tuple)):
            if value:
                _sequence(value, indent + 2, out, first_inline=True)
            else:
                out.append("[]\n")
        else:
            out.append(_scalar(value, indent + 2, indent + 2) + "\n")


def dumps(tree) -> str:
    """The YAML DL4J's mapper writes for a JSON tree (a dict; typed objects carry their type id key first)."""
    tag, body = _tag(tree)
    out = [f"--- !<{tag}>" if tag else "---"]
    if not body:
        out.append(" {}\n")
        return "".join(out)
    out.append("\n")
    _mapping(body, 0, out)
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------------
# reading

_TAG = re.compile(r"!<([^>]+)>")
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_PLAIN_CONSTANTS = {"null": None, "Null": None, "NULL": None, "~": None, "": None, "true": True, "True": True,
                    "TRUE": True, "false": False, "False": False, "FALSE": False, "NaN": math.nan, ".nan": math.nan,
                    ".NaN": math.nan, "Infinity": math.inf, ".inf": math.inf, "-Infinity": -math.inf,
                    "-.inf": -math.inf}


class _Reader:
    def __init__(self, text: str, type_key_for, entry):
        self.lines = text.replace("\r\n", "\n").split("\n")
        self.pos = 0
        self.type_key_for = type_key_for
        self.entry = entry

    def fail(self, why: str, line: int | None = None):
        n = (self.pos if line is None else line) + 1
        raise MalformedConfigError(f"YAML line {n}: {why}", self.entry)

    # -- lines
    def _skip_blank(self):
        while self.pos < len(self.lines) and (not self.lines[self.pos].strip()
                                              or self.lines[self.pos].lstrip().startswith("#")):
            self.pos += 1

    def _peek(self):
        """(indent, content) of the next non-blank line, or None at the end."""
        self._skip_blank()
        if self.pos >= len(self.lines):
            return None
        line = self.lines[self.pos]
        content = line.lstrip(" ")
        if content.startswith("\t"):
            self.fail("tabs are not YAML indentation")
        return len(line) - len(content), content

    # -- nodes
    def document(self):
        self._skip_blank()
        tag = None
        if self.pos < len(self.lines) and self.lines[self.pos].startswith("---"):
            rest = self.lines[self.pos][3:].strip()
            self.pos += 1
            m = _TAG.match(rest)
            if m:
                tag, rest = m.group(1), rest[m.end():].strip()
            if rest:
                return self._tagged(tag, self._inline(rest, 0))
        nxt = self._peek()
        if nxt is None:
            return self._tagged(tag, {})
        value = self._block(nxt[0])
        if self._peek() is not None:
            self.fail("unexpected content after the document (wrong indentation?)")
        return self._tagged(tag, value)

    def _tagged(self, tag, value):
        if tag is None:
            return value
        if not isinstance(value, dict):
            self.fail(f"tag !<{tag}> on a {type(value).__name__}, expected an object")
        return {self.type_key_for(tag): tag, **value}

    def _block(self, indent: int):
        nxt = self._peek()
        if nxt[1].startswith("- ") or nxt[1] == "-":
            return self._sequence(indent)
        return self._mapping(indent)

    def _sequence(self, indent: int):
        out = []
        while True:
            nxt = self._peek()
            if nxt is None or nxt[0] != indent or not (nxt[1].startswith("- ") or nxt[1] == "-"):
                if nxt is not None and nxt[0] > indent:
                    self.fail("bad indentation in a sequence")
                return out
            line = self.lines[self.pos]
            rest = nxt[1][2:] if nxt[1] != "-" else ""
            if not rest.strip():
                self.pos += 1
                out.append(self._nested(indent, allow_same_indent_seq=False))
                continue
            # the item starts on the dash line: read it as if it were its own line, indented past the dash
            self.lines[self.pos] = " " * (indent + 2) + rest
            out.append(self._item(indent + 2))
            _ = line
        return out

    def _item(self, indent: int):
        """A node whose first line is the current line, at ``indent``."""
        content = self.lines[self.pos][indent:]
        if content.startswith("- ") or content == "-":
            return self._sequence(indent)
        if self._key_split(content) is not None:
            return self._mapping(indent)
        self.pos += 1
        return self._inline_or_block(content, indent)

    def _inline_or_block(self, text: str, indent: int):
        m = _TAG.match(text)
        if m:
            rest = text[m.end():].strip()
            if not rest:
                return self._tagged(m.group(1), self._nested(indent - 2, allow_same_indent_seq=False))
            return self._tagged(m.group(1), self._inline(rest, indent))
        return self._inline(text, indent)

    def _nested(self, indent: int, allow_same_indent_seq: bool):
        """The block node after ``key:`` / ``-`` with nothing after it on the line: deeper lines (or, for a key, a
        sequence at the key's own indent)."""
        nxt = self._peek()
        if nxt is None:
            return None
        if nxt[0] > indent or (allow_same_indent_seq and nxt[0] == indent and (nxt[1].startswith("- ") or nxt[1] == "-")):
            return self._block(nxt[0])
        return None

    def _key_split(self, content: str):
        """(key, rest) when ``content`` is ``key: ...`` (plain or quoted key), else None."""
        if content.startswith('"'):
            end = self._quoted_end(content, '"')
            if end is not None and content[end + 1:end + 2] == ":" and content[end + 2:end + 3] in ("", " "):
                return _unescape(content[1:end]), content[end + 2:].strip()
            return None
        if content.startswith("'"):
            end = self._quoted_end(content, "'")
            if end is not None and content[end + 1:end + 2] == ":" and content[end + 2:end + 3] in ("", " "):
                return content[1:end].replace("''", "'"), content[end + 2:].strip()
            return None
        m = re.match(r"(.*?):(?: |$)", content)
        if m and not content.startswith(("!", "{", "[")):
            return m.group(1), content[m.end():].strip()
        return None

    @staticmethod
    def _quoted_end(text: str, quote: str):
        i = 1
        while i < len(text):
            if quote == '"' and text[i] == "\\":
                i += 2
                continue
            if text[i] == quote:
                if quote == "'" and text[i + 1:i + 2] == "'":
                    i += 2
                    continue
                return i
            i += 1
        return None

    def _mapping(self, indent: int):
        out = {}
        while True:
            nxt = self._peek()
            if nxt is None or nxt[0] < indent:
                return out
            if nxt[0] > indent:
                self.fail("bad indentation in a mapping")
            content = nxt[1]
            if content.startswith("- ") or content == "-":
                return out
            if content.startswith("? "):  # explicit key (Jackson writes an empty key this way)
                key = self._inline(content[2:].strip(), indent)
                self.pos += 1
                nxt = self._peek()
                if nxt is None or not nxt[1].startswith(":"):
                    self.fail("explicit key '? ' without its ': ' value")
                rest = nxt[1][1:].strip()
            else:
                split = self._key_split(content)
                if split is None:
                    self.fail(f"expected 'key: value', got {content[:60]!r}")
                key, rest = split
            self.pos += 1
            if key in out:
                self.fail(f"duplicate key {key!r}")
            if not rest:
                out[key] = self._nested(indent, allow_same_indent_seq=True)
            else:
                out[key] = self._inline_or_block(rest, indent + 2)

    def _inline(self, text: str, indent: int):
        """A scalar (or ``{}`` / ``[]``) that starts on the current line; a double-quoted one may go on."""
        if text == "{}":
            return {}
        if text == "[]":
            return []
        if text.startswith("{") or text.startswith("["):
            self.fail("flow collections other than {} and [] are not read: write block style, as DL4J's toYaml does",
                      self.pos - 1)
        if text.startswith('"'):
            parts = [text]
            while self._quoted_end("\n".join(parts), '"') is None:
                if self.pos >= len(self.lines):
                    self.fail("unterminated double-quoted string")
                parts.append(self.lines[self.pos])
                self.pos += 1
            raw = "\n".join(parts)
            end = self._quoted_end(raw, '"')
            if raw[end + 1:].strip():
                self.fail(f"unexpected text after a quoted string: {raw[end + 1:].strip()[:40]!r}", self.pos - 1)
            return _unescape(_fold(raw[1:end]))
        if text.startswith("'"):
            end = self._quoted_end(text, "'")
            if end is None:
                self.fail("unterminated single-quoted string (multi-line single quotes are not read)", self.pos - 1)
            return text[1:end].replace("''", "'")
        text = text.split(" #", 1)[0].strip()
        if text in _PLAIN_CONSTANTS:
            return _PLAIN_CONSTANTS[text]
        if _NUMBER.match(text):
            return int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        return text


def _fold(raw: str) -> str:
    """Line folding inside a double-quoted scalar (before escapes): a line ending in an unescaped ``\\`` joins the
    next without a space; otherwise a line break is one space (empty lines are line feeds)."""
    lines = raw.split("\n")
    out = lines[0]
    for line in lines[1:]:
        stripped = line.lstrip(" \t")
        trailing = len(out) - len(out.rstrip("\\"))
        if trailing % 2 == 1:  # an escaped line break: continue without a space
            out = out[:-1] + stripped
        elif not stripped:
            out = out.rstrip(" \t") + "\n"
        else:
            out = out.rstrip(" \t") + ("" if out.endswith("\n") else " ") + stripped
    return out


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        code = text[i + 1:i + 2]
        if code in ("x", "u", "U"):
            size = {"x": 2, "u": 4, "U": 8}[code]
            out.append(chr(int(text[i + 2:i + 2 + size], 16)))
            i += 2 + size
        elif code in _UNESCAPES:
            out.append(_UNESCAPES[code])
            i += 2
        else:
            raise MalformedConfigError(f"unknown escape \\{code} in a YAML string")
    return "".join(out)


def loads(text, type_key_for=lambda cls: "@class", entry: str | None = None):
    """Parse DL4J's YAML into the JSON tree its ``fromJson`` reads; ``type_key_for(class name)`` says which key a tag
    becomes (``"@class"``, or ``"type"`` for distributions and FineTuneConfiguration)."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedConfigError(f"not UTF-8 text: {exc}", entry) from None
    if not isinstance(text, str):
        raise MalformedConfigError(f"expected YAML text, got {type(text).__name__}", entry)
    return _Reader(text, type_key_for, entry).document()
