"""The small things a docs team meets on its first day: `new page` paths, the starter site, what
`-v` and a CI log show, and the example GitHub workflows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import run

DOCS = Path(__file__).parent.parent / "docs"

# The CLI as CI runs it (stderr not a terminal), with progress lines at every event instead of every 5 s.
CLI = "import sys; from vidsite.cli import _Progress, main; _Progress.EVERY = 0; main(sys.argv[1:])"


def test_new_page_goes_into_the_content_folder_with_md(tmp_path: Path, monkeypatch) -> None:
    assert run("new", "site", str(tmp_path / "docs")).exit_code == 0
    monkeypatch.chdir(tmp_path / "docs")
    made = run("new", "page", "guide/install", "--no-input")
    assert made.exit_code == 0, made.output
    assert "wrote content/guide/install.md" in made.output and Path("content/guide/install.md").is_file()
    assert run("new", "page", "content/faq", "--no-input").exit_code == 0 and Path("content/faq.md").is_file()
    outside = run("new", "page", "../notes", "--no-input")
    assert outside.exit_code == 2 and "outside the content folder" in outside.output
    assert not (tmp_path / "docs/notes.md").exists() and not (tmp_path / "notes.md").exists()
    (tmp_path / "docs/config.toml").write_text('title = "Docs"\ncontent_dir = "src"\n')
    assert run("new", "page", "api", "--no-input", "--site", str(tmp_path / "docs")).exit_code == 0
    assert (tmp_path / "docs/src/api.md").is_file()
    # an absolute path outside the content folder, no path at all, another file type: refused, nothing written
    elsewhere = tmp_path / "elsewhere" / "passwd"
    for bad, said in ((str(elsewhere), "outside the content folder"), ("", "give the page's path"),
                      ("notes.txt", "a page is a .md file")):
        refused = run("new", "page", bad, "--no-input")
        assert refused.exit_code == 2 and said in refused.output and "Traceback" not in refused.output, refused.output
    assert not elsewhere.with_suffix(".md").exists() and not list(tmp_path.rglob("notes.txt*"))
    assert run("new", "page", "release-1.2", "--no-input").exit_code == 0 and Path("src/release-1.2.md").is_file()


def test_starter_site_ci_log_and_verbose_output(tmp_path: Path) -> None:
    site = tmp_path / "docs"
    assert run("new", "site", str(site)).exit_code == 0
    config = site / "config.toml"
    config.write_text(config.read_text().replace("width = 1920", "width = 160").replace("height = 1080", "height = 90")
                      .replace('engine = "auto"', 'engine = "espeak"').replace("localhost:1313", "docs.example.com"))
    built = subprocess.run([sys.executable, "-c", CLI, "build", "-v", "-j", "1", str(site)], capture_output=True,
                           text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stderr
    # a CI log gets plain progress lines, no terminal escapes
    progress = [line for line in built.stderr.splitlines() if line.lstrip().startswith("pages ")]
    assert any("pages 2/2" in line for line in progress) and "\x1b[" not in built.stderr
    # -v: vidsite's own debug lines, not markdown-it's rule by rule trace
    assert "DEBUG vidsite.build: encoder:" in built.stderr and "markdown_it" not in built.stderr
    # the starter site publishes videos and pages, never notes written for its author
    published = {p.relative_to(site / "output").as_posix() for p in (site / "output").rglob("*") if p.is_file()}
    assert "welcome/index.html" in published and not [n for n in published if n.endswith((".md", "README"))]
    assert (site / "static").is_dir() and "static/" in (site / "layouts/README.md").read_text()


def _workflow(name: str) -> dict:
    data = yaml.safe_load((DOCS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_publish_workflow_deploys_one_at_a_time_and_prunes_the_cache() -> None:
    flow = _workflow("github-actions.yml")
    assert flow["concurrency"]["group"] and flow["concurrency"]["cancel-in-progress"] is False
    (job,) = flow["jobs"].values()
    commands = _runs(job)
    assert commands.index("vidsite build --strict") < commands.index("vidsite cache prune") \
        < commands.index("vidsite deploy")


@pytest.mark.parametrize("name", ["review.yml", "review-comment.yml"])
def test_review_workflows_never_run_pull_request_code_with_secrets(name: str) -> None:
    flow = _workflow(name)
    assert "pull_request_target" not in flow["on"]
    for job in flow["jobs"].values():
        assert not [line for line in yaml.safe_dump(job).splitlines() if "secrets." in line and "GITHUB_TOKEN" not in line]


def test_review_workflow_builds_the_pull_request_without_secrets_and_uploads_the_review() -> None:
    flow = _workflow("review.yml")
    assert set(flow["on"]) == {"pull_request"}
    (job,) = flow["jobs"].values()
    assert "secrets." not in yaml.safe_dump(job) and set(job["permissions"].values()) == {"read"}
    checkout = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert "vidsite review origin/main" in _runs(job)
    upload = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert ".vidsite/review" in upload["with"]["path"]


def test_review_comment_workflow_posts_review_md_without_checking_out_the_pull_request() -> None:
    flow = _workflow("review-comment.yml")
    assert set(flow["on"]) == {"workflow_run"}
    review = _workflow("review.yml")
    assert flow["on"]["workflow_run"]["workflows"] == [review["name"]]
    assert flow["on"]["workflow_run"]["types"] == ["completed"]
    (job,) = flow["jobs"].values()
    uses = [str(s.get("uses", "")) for s in job["steps"]]
    assert not [u for u in uses if u.startswith("actions/checkout")]  # the pull request's code never runs here
    assert job["permissions"]["pull-requests"] == "write" and "contents" not in job["permissions"]
    assert "github.event.workflow_run.conclusion == 'success'" in job["if"]
    assert any(u.startswith("actions/download-artifact") for u in uses)
    assert "review.md" in yaml.safe_dump(job)


def test_a_docs_repository_without_config_is_told_to_run_new_site_here(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/index.md").write_text("# Home\n\nWelcome.\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: Docs\n")
    for command in ("build", "check"):
        result = run(command, str(tmp_path))
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert "MkDocs repository" in result.output and "vidsite new site --here" in result.output, result.output
    assert run("new", "site", "--here", str(tmp_path)).exit_code == 0
    assert run("check", str(tmp_path)).exit_code == 0
