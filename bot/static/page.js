// Bring the cited passage into view and copy a passage's link. Served by the bot itself (no CDN).
document.addEventListener("DOMContentLoaded", () => {
  const cited = document.querySelector(".passage.cited");
  const head = document.querySelector(".passage-head");
  if (head) {  // the sticky title bar: what is scrolled into view lands below it
    document.documentElement.style.setProperty("--head", `${head.offsetHeight}px`);
  }
  if (cited) {
    const quoted = cited.querySelector("mark");
    const target = quoted || cited;
    const room = window.innerHeight - (head ? head.offsetHeight : 0);
    const tall = target.getBoundingClientRect().height > room * 0.8;
    target.scrollIntoView({ block: tall || head ? "start" : "center" });
    cited.focus({ preventScroll: true });
  }
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", async () => {
      const url = new URL(button.dataset.url, location.href).href;
      try {
        await navigator.clipboard.writeText(url);
      } catch {
        window.prompt("Copy this link / このリンクをコピーしてください", url);
      }
      button.classList.add("copied");
    });
  }
});
