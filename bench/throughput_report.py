"""The throughput bench's result, reduced: ratios within one run (what stays comparable on shared
cores) and the table, as plain text or as the Markdown of docs/performance.md.
"""

from __future__ import annotations

import json

HEADER = ("what", "pages", "seconds", "pages/s", "peak MB")


def ratios(r: dict) -> dict:
    out = {}
    base, mill = r.get("baseline"), r.get("newsmill")
    if base and mill:
        out["newsmill_over_baseline"] = round(mill["articles_per_s"] / base["pages_per_s"], 2)
        out["load_share_of_e2e"] = round(mill["load_seconds"] / mill["wall_seconds"], 3)
        if base.get("cpu_seconds") and mill.get("cpu_seconds"):
            per_page = base["cpu_seconds"] / base["pages"]
            per_article = mill["cpu_seconds"] / mill["articles"]
            out["cpu_ms_per_page_baseline"] = round(1000 * per_page, 1)
            out["cpu_ms_per_article_newsmill"] = round(1000 * per_article, 1)
            out["cpu_ms_per_article_site_server"] = round(1000 * mill["site_server_cpu_seconds"] / mill["articles"], 1)
            # what the ratio is on 2 cores with nobody else on them and the site elsewhere
            out["newsmill_over_baseline_by_cpu_2_cores"] = round(2 * per_page / per_article, 2)
    if mill and r.get("rerun"):
        out["rerun_over_first"] = round(r["rerun"]["wall_seconds"] / mill["wall_seconds"], 3)
    cli = r.get("trafilatura_cli")
    if mill and cli:
        out["trafilatura_cli_wall_over_newsmill_wall"] = round(cli["seconds"] / mill["wall_seconds"], 2)
    npl = r.get("news_please")
    if mill and npl and "seconds" in npl:
        out["news_please_s_per_page_over_newsmill"] = round(
            (npl["seconds"] / npl["pages"]) / (mill["wall_seconds"] / mill["articles"]), 2)
    if r.get("backfill"):
        out["backfill_slowest_over_fastest"] = r["backfill"]["slowest_over_fastest"]
        out["backfill_cpu_slowest_over_fastest"] = r["backfill"]["cpu_slowest_over_fastest"]
    return out


def rows(r: dict) -> list[tuple[str, ...]]:
    """The table's rows, `HEADER`'s columns, "" where a column does not apply."""
    out: list[tuple[str, ...]] = []
    if "baseline" in r:
        b = r["baseline"]
        out.append(("bare trafilatura.extract, 1 core", b["pages"], b["seconds"], b["pages_per_s"], ""))
    if "newsmill" in r:
        m = r["newsmill"]
        out.append(("newsmill end to end (crawl+extract+load)", m["articles"], m["wall_seconds"],
                    m["articles_per_s"], m["peak_total_pss_mb"]))
        out.append(("  crawl (extraction alongside)", "", m["crawl_seconds"], "", ""))
        out.append(("  extraction after the crawl ended", "", m["extract_after_crawl_seconds"], "", ""))
        out.append(("  load", "", m["load_seconds"], "", ""))
    if "rerun" in r:
        out.append(("newsmill re-run of the loaded day", r["rerun"]["fetched"], r["rerun"]["wall_seconds"], "", ""))
    if "trafilatura_cli" in r:
        c = r["trafilatura_cli"]
        out.append(("trafilatura CLI --parallel 2 --json", c["files"], c["seconds"], c["pages_per_s"],
                    c["peak_total_pss_mb"]))
    if "seconds" in r.get("news_please", {}):
        c = r["news_please"]
        out.append(("news-please (fetch + from_html pool)", c["articles"], c["seconds"], c["pages_per_s"],
                    c["peak_total_pss_mb"]))
    if "backfill" in r:
        b = r["backfill"]
        out.append((f"backfill {len(b['days'])} days: fastest / median / slowest day", "",
                    f"{b['fastest_s']} / {b['median_s']} / {b['slowest_s']}", "", ""))
    return [tuple(str(cell) for cell in row) for row in out]


def notes(r: dict) -> list[str]:
    """The lines below the table: the ratios, then where the memory and the CPU went."""
    lines = [f"{k}: {v}" for k, v in r.get("ratios", {}).items()]
    if "newsmill" in r:
        lines.append("peak RSS by process (MB): " + json.dumps(r["newsmill"]["peak_rss_mb_by_process"]))
        lines.append("CPU seconds by process: " + json.dumps(r["newsmill"]["cpu_seconds_by_role"]))
    return lines


def table(r: dict) -> str:
    """Plain text, for the terminal."""
    lines = [f"{w:<44} {p:>6} {s:>8} {pps:>8} {mb:>8}".rstrip() for w, p, s, pps, mb in (HEADER, *rows(r))]
    return "\n".join([*lines, "", *notes(r)])


def markdown(r: dict) -> str:
    """Markdown, for docs/performance.md: the table, then the notes as a list."""
    lines = ["| " + " | ".join(HEADER) + " |", "|---|--:|--:|--:|--:|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows(r)]
    return "\n".join([*lines, "", *(f"- {note}" for note in notes(r))])
