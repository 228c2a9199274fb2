/* The plain-language disclosure's reading grade and its hardest sentences, redrawn as the user types.
 * A copy of assessments/readability.py: the same word and sentence patterns (Python's \s spelt out),
 * the same hyphenation patterns (static/js/hyphenation-en-us.js, exported from pyphen's dictionary),
 * the same syllable rule, and the grade in exact integer tenths rounded half to even. The server
 * decides; this only shows early what it will say. tests/e2e/test_readability_live.py compares them. */
(function () {
  "use strict";

  var SPACE = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var WORD = /[A-Za-z]+(?:'[A-Za-z]+)?/g;
  var SENTENCE_END = new RegExp("[.!?]+(?:[" + SPACE + "]|$)", "g");
  var SPACES = new RegExp("[" + SPACE + "]+", "g");
  var EDGE_SPACES = new RegExp("^[" + SPACE + "]+|[" + SPACE + "]+$", "g");
  var VOWEL_GROUP = /[aeiouy]+/g;

  var data = window.READABILITY_HYPHENATION;
  var patterns = data.patterns;
  var has = Object.prototype.hasOwnProperty;
  var maxLength = 0;
  Object.keys(patterns).forEach(function (key) { if (key.length > maxLength) maxLength = key.length; });

  function words(text) { return text.match(WORD) || []; }

  function breakPoints(word) {
    // Liang's algorithm as pyphen runs it: the highest digit wins; odd means a break.
    var pointed = "." + word + ".";
    var marks = [];
    for (var n = 0; n <= pointed.length; n++) marks.push(0);
    for (var i = 0; i < pointed.length - 1; i++) {
      var stop = Math.min(i + maxLength, pointed.length) + 1;
      for (var j = i + 1; j < stop; j++) {
        var key = pointed.slice(i, j);
        if (!has.call(patterns, key)) continue;
        var offset = patterns[key][0], digits = patterns[key][1];
        for (var k = 0; k < digits.length; k++) {
          var at = i + offset + k;
          if (at < marks.length) marks[at] = Math.max(marks[at], Number(digits[k]));
        }
      }
    }
    var points = [];
    for (var p = 0; p < marks.length; p++) {
      var position = p - 1;
      if (marks[p] % 2 && position >= data.left && position <= word.length - data.right) points.push(position);
    }
    return points;
  }

  function countSyllables(word) {
    word = word.toLowerCase();
    var count = breakPoints(word).length + 1;
    // Hyphenation dictionaries do not split short words; count vowel groups there.
    var vowelGroups = (word.match(VOWEL_GROUP) || []).length;
    var endsE = word.slice(-1) === "e" && word.slice(-2) !== "le" && word.slice(-2) !== "ee";
    if (endsE && vowelGroups > 1) vowelGroups -= 1;
    return Math.max(count, vowelGroups, 1);
  }

  function syllablesOf(list) {
    return list.reduce(function (sum, word) { return sum + countSyllables(word); }, 0);
  }

  function gradeTenths(wordCount, sentences, syllables) {
    var numerator = 39 * wordCount * wordCount + 1180 * syllables * sentences - 1559 * wordCount * sentences;
    var denominator = 10 * wordCount * sentences;
    var quotient = Math.floor(numerator / denominator);
    var remainder = numerator - quotient * denominator;
    if (remainder < 0) { quotient -= 1; remainder += denominator; }
    if (remainder >= denominator) { quotient += 1; remainder -= denominator; }
    if (2 * remainder > denominator || (2 * remainder === denominator && quotient % 2 !== 0)) quotient += 1;
    return quotient;
  }

  function gradeTenthsOf(text) {
    var list = words(text);
    if (!list.length) return 0;
    var ends = (text.replace(EDGE_SPACES, "") + " ").match(SENTENCE_END) || [];
    return gradeTenths(list.length, Math.max(1, ends.length), syllablesOf(list));
  }

  function sentenceStats(text) {
    var spans = [];
    var start = 0;
    var match;
    SENTENCE_END.lastIndex = 0;
    while ((match = SENTENCE_END.exec(text)) !== null) {
      spans.push([start, match.index + match[0].length]);
      start = match.index + match[0].length;
    }
    if (start < text.length) spans.push([start, text.length]);
    var stats = [];
    spans.forEach(function (span) {
      var piece = text.slice(span[0], span[1]);
      var list = words(piece);
      if (!list.length) return;
      var syllables = syllablesOf(list);
      stats.push({
        index: stats.length,
        text: piece.replace(SPACES, " ").replace(/^ | $/g, ""),
        words: list.length,
        syllables: syllables,
        tenths: gradeTenths(list.length, 1, syllables)
      });
    });
    return stats;
  }

  function hardestSentences(text, count) {
    return sentenceStats(text).sort(function (a, b) {
      return (b.tenths - a.tenths) || (b.words - a.words) || (a.index - b.index);
    }).slice(0, count);
  }

  function tenthsText(tenths) { return (tenths / 10).toFixed(1); }

  function redraw(panel, text) {
    var limitTenths = Number(panel.getAttribute("data-limit")) * 10;
    var shown = Number(panel.getAttribute("data-shown"));
    var summary = panel.querySelector("[data-readability-summary]");
    var hardest = panel.querySelector("[data-readability-hardest]");
    var list = hardest.querySelector("ol");
    var limitText = "plain language means grade " + panel.getAttribute("data-limit") + " or lower.";
    var tooLong = Array.from(text).length > Number(panel.getAttribute("data-max-chars"));
    if (tooLong) text = "";
    var tenths = gradeTenthsOf(text);
    summary.textContent = "";
    if (tooLong) {
      summary.textContent = "This text is too long to check; shorten it first.";
    } else if (text.replace(EDGE_SPACES, "")) {
      summary.appendChild(document.createTextNode("Reading grade "));
      var strong = document.createElement("strong");
      strong.setAttribute("data-grade", "");
      strong.textContent = tenthsText(tenths);
      summary.appendChild(strong);
      summary.appendChild(document.createTextNode("; " + limitText));
    } else {
      summary.textContent = "Write the disclosure to see its reading grade; " + limitText;
    }
    panel.classList.toggle("is-too-hard", tenths > limitTenths);
    var sentences = hardestSentences(text, shown);
    list.textContent = "";
    sentences.forEach(function (s) {
      var item = document.createElement("li");
      item.setAttribute("data-sentence-index", String(s.index));
      item.setAttribute("data-sentence-grade", tenthsText(s.tenths));
      if (s.tenths > limitTenths) item.className = "too-hard";
      var quote = document.createElement("q");
      quote.textContent = s.text;
      var facts = document.createElement("span");
      facts.className = "small muted";
      facts.textContent = "grade " + tenthsText(s.tenths) + " · " + s.words + " word" + (s.words === 1 ? "" : "s");
      item.appendChild(quote);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(facts);
      list.appendChild(item);
    });
    hardest.hidden = sentences.length === 0;
  }

  function setUp() {
    document.querySelectorAll("[data-readability]").forEach(function (panel) {
      var field = document.getElementById(panel.getAttribute("data-readability-for"));
      if (!field) return;
      var timer = null;
      field.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { redraw(panel, field.value); }, 150);
      });
      redraw(panel, field.value);
    });
  }

  window.Readability = {
    countSyllables: countSyllables,
    gradeTenthsOf: gradeTenthsOf,
    sentenceStats: sentenceStats,
    hardestSentences: hardestSentences
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
