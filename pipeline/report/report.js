// The report's only script: the quotes filter, and opening a document when a link points at it.
(function () {
  "use strict";
  var rows = document.querySelectorAll("#quotes-table tbody tr");
  var speaker = document.getElementById("quote-speaker");
  var lang = document.getElementById("quote-lang");
  var count = document.getElementById("quote-count");

  function filterQuotes() {
    var shown = 0;
    rows.forEach(function (row) {
      var keep = (!speaker.value || row.dataset.speaker === speaker.value) && (!lang.value || row.dataset.lang === lang.value);
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " quotes";
  }

  function openLinkedDocument() {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") {
      target.open = true;
      target.scrollIntoView();
    }
  }

  if (speaker && lang) {
    speaker.addEventListener("change", filterQuotes);
    lang.addEventListener("change", filterQuotes);
    filterQuotes();
  }
  window.addEventListener("hashchange", openLinkedDocument);
  openLinkedDocument();
}());
