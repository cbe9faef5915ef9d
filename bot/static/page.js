// Bring the cited passage into view and copy a passage's link. Served by the bot itself (no CDN).
document.addEventListener("DOMContentLoaded", () => {
  const cited = document.querySelector(".passage.cited");
  if (cited) {
    const tall = cited.getBoundingClientRect().height > window.innerHeight * 0.8;
    cited.scrollIntoView({ block: tall ? "start" : "center" });
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
