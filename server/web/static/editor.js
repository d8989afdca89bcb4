// The query editor: line numbers that follow the text, Tab indents (Esc then Tab leaves),
// Ctrl+Enter runs.
// The page works without this script (a plain textarea and a submit button).
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  if (!form) { return; }
  var text = form.querySelector("textarea");
  var gutter = form.querySelector(".gutter");
  var editor = form.querySelector(".editor");
  var errorLine = parseInt(editor.getAttribute("data-error-line"), 10) || 0;
  var edited = false;
  var keepTab = true;

  function lineCount() {
    return text.value.split("\n").length;
  }

  function render() {
    var n = Math.max(lineCount(), 12);
    var frag = document.createDocumentFragment();
    for (var i = 1; i <= n; i++) {
      var span = document.createElement("span");
      span.textContent = String(i);
      if (i === errorLine && !edited) { span.className = "err"; }
      frag.appendChild(span);
      frag.appendChild(document.createTextNode("\n"));
    }
    gutter.replaceChildren(frag);
    // Grow the textarea with its text so the gutter and the lines scroll together.
    text.rows = n;
  }

  text.addEventListener("input", function () { edited = true; render(); });
  text.addEventListener("focus", function () { keepTab = true; });
  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    } else if (event.key === "Escape") {
      keepTab = false; // Esc, then Tab, leaves the editor (keyboard users are not trapped)
    } else if (event.key === "Tab" && !event.shiftKey && keepTab) {
      event.preventDefault();
      var start = text.selectionStart;
      var end = text.selectionEnd;
      text.setRangeText("  ", start, end, "end");
      edited = true;
      render();
    }
  });
  render();
})();
