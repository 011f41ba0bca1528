#!/usr/bin/env python3
"""Deterministic generator of a cong portal (and optionally the same articles as a Hugo site).

    python3 bench/gen.py --articles N --units K --seed S --out DIR [--hugo DIR2]

Writes DIR/content/site.yaml, a root `_unit.yaml` (huyện), K-1 communes
(`xa-<slug>/_unit.yaml`) and N articles spread over the units, each 600-1,200 words of
Vietnamese e-government prose assembled from hand-written sentence templates, with
headings, a list, a pipe table and an image. Same seed, same bytes.
"""

import argparse
import datetime
import json
import os
import random
import re
import shutil
import sys
import unicodedata

sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import (  # noqa: E402
    AUTHORS, CATEGORIES, COMMUNES, CROPS, GENERAL, GIVEN, HAMLETS, HEADINGS, LIST_INTROS,
    LIST_ITEMS, MIDDLE, OFFICES, POSTS, PROCEDURES, SURNAMES, TABLES, TAG_POOL_BASE, TITLES,
    TOPIC, IMAGE_CAPTIONS, SUMMARIES, DISTRICT, PROVINCE,
)

# ---------------------------------------------------------------- helpers


def slugify(text):
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def cap(s):
    return s[:1].upper() + s[1:]


def q(s):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def vn_num(n):
    """12798 -> 12.798"""
    return f"{n:,}".replace(",", ".")


def vn_dec(x, d=1):
    """87.5 -> 87,5"""
    return f"{x:.{d}f}".replace(".", ",")


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" viewBox="0 0 320 180">'
    '<rect width="320" height="180" fill="{bg}"/><circle cx="{cx}" cy="80" r="40" fill="{fg}"/>'
    '<rect x="40" y="130" width="240" height="16" fill="#ffffff" opacity=".7"/></svg>\n'
)
SVG_COLOURS = [("#1d4f91", "#f2c230"), ("#2e7d32", "#c8e6c9"), ("#b71c1c", "#ffcdd2"),
               ("#4e342e", "#d7ccc8"), ("#006064", "#b2ebf2")]
SVG_PER_FOLDER = 5


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# ---------------------------------------------------------------- people and units


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def person(self):
        r = self.r
        return f"{r.choice(SURNAMES)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"

    def phone(self):
        return f"0208 38{self.r.randint(10, 99)} {self.r.randint(100, 999)}"


def unit_yaml(g, name_vi, name_en, kind, slug, intro_vi, intro_en, root):
    r = g.r
    lines = [
        f"name: {{ vi: {q(name_vi)}, en: {q(name_en)} }}",
        f"type: {kind}",
        "address:",
        f"  vi: {q('Trụ sở Ủy ban nhân dân ' + name_vi[0].lower() + name_vi[1:] + ', ' + DISTRICT + ', ' + PROVINCE)}",
        f"  en: {q(name_en + ' People' + chr(39) + 's Committee, Dong Hy district, Thai Nguyen province')}",
        f"phone: {q(g.phone())}",
        f"email: {q(slug + '@bench.example.gov.vn')}",
    ]
    if root:
        lines += [
            "parent:",
            "  name: { vi: \"Cổng thông tin điện tử tỉnh Thái Nguyên\", en: \"Thai Nguyen Provincial Portal\" }",
            "  url: \"https://thainguyen.gov.vn\"",
        ]
    lines.append("leaders:")
    posts = POSTS["root" if root else "commune"]
    for post_vi, post_en in posts:
        lines.append(f"  - name: {q(g.person())}")
        lines.append(f"    post: {{ vi: {q(post_vi)}, en: {q(post_en)} }}")
        lines.append(f"    phone: {q(g.phone())}")
        if r.random() < 0.6:
            lines.append(f"    email: {q(slugify(post_en)[:12] + str(r.randint(1, 99)) + '.' + slug + '@bench.example.gov.vn')}")
    lines.append("organisation:")
    for (o_vi, o_en, d_vi, d_en) in (OFFICES[:6] if root else OFFICES[6:10]):
        lines.append(f"  - name: {{ vi: {q(o_vi)}, en: {q(o_en)} }}")
        lines.append(f"    head: {q(g.person())}")
        lines.append(f"    phone: {q(g.phone())}")
        lines.append("    duties:")
        lines.append(f"      vi: {q(d_vi)}")
        lines.append(f"      en: {q(d_en)}")
    lines.append("intro:")
    lines.append("  vi: |")
    for para in intro_vi:
        lines.append("    " + para)
        lines.append("")
    lines.pop()
    lines.append("  en: |")
    for para in intro_en:
        lines.append("    " + para)
        lines.append("")
    lines.pop()
    return "\n".join(lines) + "\n"


def commune_intro(g, name):
    r = g.r
    vi = [
        f"{name} là xã thuộc {DISTRICT}, {PROVINCE}, có diện tích tự nhiên khoảng {vn_dec(r.uniform(12, 60))} km² "
        f"với {r.randint(9, 24)} xóm và gần {vn_num(r.randint(3, 12) * 1000 + r.randint(0, 999))} nhân khẩu. "
        f"Nhân dân chủ yếu sản xuất nông nghiệp, trồng {r.choice(CROPS)} và {r.choice(CROPS)}, "
        f"kết hợp chăn nuôi và dịch vụ nhỏ.",
        f"Những năm gần đây, chính quyền xã tập trung xây dựng nông thôn mới và chính quyền điện tử; "
        f"Bộ phận Một cửa tiếp nhận hồ sơ trên phần mềm một cửa điện tử, tỷ lệ hồ sơ trực tuyến đạt "
        f"{vn_dec(r.uniform(40, 95))}%.",
    ]
    ascii_name = slugify(name).replace("-", " ").title()
    en = [
        f"{ascii_name} is a commune of Dong Hy district, Thai Nguyen province, covering about "
        f"{r.randint(12, 60)} km² with {r.randint(9, 24)} hamlets. Most people farm, growing tea, rice and fruit.",
        "In recent years the commune has focused on new rural development and e-government, "
        "handling dossiers in the electronic one-stop software.",
    ]
    return vi, en


# ---------------------------------------------------------------- prose


class Prose:
    """Fills sentence templates; every placeholder draws a fresh value."""

    def __init__(self, g):
        self.r = g.r
        self.g = g

    def fill(self, template, ctx):
        r = self.r

        def value(m):
            key = m.group(1)
            y = ctx["year"]
            if key == "dv":
                return ctx["unit"]
            if key == "huyen":
                return DISTRICT
            if key == "tinh":
                return PROVINCE
            if key == "nam":
                return str(y)
            if key == "namsau":
                return str(y + 1)
            if key == "namtruoc":
                return str(y - 1)
            if key == "ngay":
                return f"{r.randint(1, 28)}/{r.randint(1, 12)}/{y}"
            if key == "thang":
                return str(r.randint(1, 12))
            if key == "quy":
                return r.choice(["I", "II", "III", "IV"])
            if key == "phan":
                b = r.randint(5, 40)
                return f"{r.randint(1, b)} trên {b}"
            if key == "so":
                return str(r.randint(2, 60))
            if key == "it":
                return str(r.randint(2, 9))
            if key == "sol":
                return vn_num(r.randint(120, 9800))
            if key == "pt":
                return vn_dec(r.uniform(55, 99.8))
            if key == "ptn":
                return vn_dec(r.uniform(1, 25))
            if key == "tien":
                if r.random() < 0.5:
                    return f"{r.randint(120, 950)} triệu đồng"
                return f"{vn_dec(r.uniform(1.1, 48))} tỷ đồng"
            if key == "ha":
                return vn_dec(r.uniform(3, 420))
            if key == "km":
                return vn_dec(r.uniform(0.4, 12))
            if key == "ho":
                return str(r.randint(12, 960))
            if key == "nguoi":
                return self.g.person()
            if key == "chucvu":
                return r.choice(["Chủ tịch UBND", "Phó Chủ tịch UBND", "Bí thư Đảng ủy",
                                 "Chủ tịch Ủy ban MTTQ", "Trưởng Công an", "công chức Văn phòng - Thống kê",
                                 "công chức Tư pháp - Hộ tịch", "công chức Địa chính"])
            if key == "phong":
                return r.choice(OFFICES)[0]
            if key == "xom":
                return r.choice(HAMLETS)
            if key == "cay":
                return r.choice(CROPS)
            if key == "tt":
                return r.choice(PROCEDURES)
            if key == "vb":
                return (f"{r.choice(['Kế hoạch', 'Quyết định', 'Công văn', 'Thông báo', 'Chỉ thị'])} "
                        f"số {r.randint(3, 480)}/{r.choice(['KH', 'QĐ', 'UBND', 'TB', 'CT'])}-UBND")
            raise KeyError(key)

        return re.sub(r"\{(\w+)\}", value, template)


def make_body(g, prose, ctx, category, folder_images):
    r = g.r
    # about half the sentences come from the category's own pool, the rest from GENERAL
    topic = list(range(len(TOPIC[category])))
    general = list(range(len(topic), len(topic) + len(GENERAL)))
    pool = TOPIC[category] + GENERAL
    r.shuffle(topic)
    r.shuffle(general)
    order = []
    while topic or general:
        src = topic if (topic and (not general or r.random() < 0.5)) else general
        order.append(src.pop())
    it = iter(order)

    def sentences(n):
        out = []
        for _ in range(n):
            try:
                i = next(it)
            except StopIteration:
                r.shuffle(order)
                i = order[0]
            out.append(cap(prose.fill(pool[i], ctx)))
        return " ".join(out)

    target = r.randint(600, 1200)
    blocks = []
    words = 0

    def add(text):
        nonlocal words
        blocks.append(text)
        words += len(text.split())

    add(sentences(r.randint(2, 3)))
    more_at = len(blocks)
    add(sentences(r.randint(3, 4)))
    headings = r.sample(HEADINGS[category] + HEADINGS["general"], 5)
    h = 0
    placed = {"list": False, "table": False, "image": False}
    extras = ["list", "table", "image"]
    r.shuffle(extras)
    while words < target or not all(placed.values()):
        if h < len(headings):
            add("## " + cap(prose.fill(headings[h], ctx)))
            h += 1
        add(sentences(r.randint(3, 5)))
        pending = [e for e in extras if not placed[e]]
        if pending and (words > target * 0.3 or h >= 3):
            kind = pending[0]
            placed[kind] = True
            if kind == "list":
                add(prose.fill(r.choice(LIST_INTROS), ctx))
                items = r.sample(LIST_ITEMS, r.randint(4, 6))
                add("\n".join("- " + prose.fill(x, ctx) for x in items))
            elif kind == "table":
                intro, cols, rows, unit = r.choice(TABLES)
                add(prose.fill(intro, ctx))
                lines = ["| " + " | ".join(cols) + " |",
                         "|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|"]
                for name in r.sample(rows, min(len(rows), r.randint(4, 6))):
                    cells = [prose.fill(name, ctx)]
                    for c in range(len(cols) - 1):
                        cells.append(unit(r, c))
                    lines.append("| " + " | ".join(cells) + " |")
                add("\n".join(lines))
            else:
                alt, caption = r.choice(IMAGE_CAPTIONS)
                img = r.choice(folder_images)
                add(f'![{prose.fill(alt, ctx)}]({img} "{prose.fill(caption, ctx)}")')
        if words > target and all(placed.values()):
            break
        if words > 1250:
            break
    add(sentences(r.randint(2, 3)))
    return blocks, more_at


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, required=True)
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--hugo")
    a = ap.parse_args()
    if a.units < 1:
        sys.exit("--units must be at least 1")

    g = Gen(a.seed)
    r = g.r
    prose = Prose(g)
    content = os.path.join(a.out, "content")
    if os.path.exists(content):
        shutil.rmtree(content)
    if a.hugo and os.path.exists(a.hugo):
        shutil.rmtree(a.hugo)

    # site.yaml
    site = [
        "title:",
        "  vi: \"Cổng thông tin điện tử huyện Đồng Hỷ (bản đo hiệu năng)\"",
        "  en: \"Dong Hy District Information Portal (benchmark)\"",
        "description:",
        "  vi: \"Cổng thông tin sinh tự động để đo tốc độ xây dựng\"",
        "  en: \"A generated portal for build benchmarks\"",
        "base_url: \"https://bench.example.gov.vn\"",
        "languages: [vi, en]",
        "timezone: Asia/Ho_Chi_Minh",
        "theme: default",
        "paginate: 10",
        "categories:",
    ]
    for slug, vi, en in CATEGORIES:
        site.append(f"  - {{ slug: {slug}, name: {{ vi: {q(vi)}, en: {q(en)} }} }}")
    site += [
        "menu:",
        "  - { label: { vi: \"Trang chủ\", en: \"Home\" }, url: \"/\" }",
        "  - { label: { vi: \"Giới thiệu\", en: \"Introduction\" }, url: \"/gioi-thieu/\" }",
        "  - { label: { vi: \"Chuyển đổi số\", en: \"Digital transformation\" }, url: \"/chuyen-muc/chuyen-doi-so/\" }",
        "  - { label: { vi: \"Cải cách hành chính\", en: \"Administrative reform\" }, url: \"/chuyen-muc/cai-cach-hanh-chinh/\" }",
        "  - { label: { vi: \"Liên hệ\", en: \"Contact\" }, url: \"/lien-he/\" }",
        "public_services:",
        "  provincial:",
        "    name: { vi: \"Cổng dịch vụ công tỉnh Thái Nguyên\", en: \"Thai Nguyen Public Service Portal\" }",
        "    url: \"https://dichvucong.thainguyen.gov.vn\"",
        "  national:",
        "    name: { vi: \"Cổng Dịch vụ công quốc gia\", en: \"National Public Service Portal\" }",
        "    url: \"https://dichvucong.gov.vn\"",
    ]
    write(os.path.join(content, "site.yaml"), "\n".join(site) + "\n")

    # units: (dir, display name used in prose, hugo section)
    units = []
    intro_vi = [
        f"Đồng Hỷ là huyện trung du, miền núi ở phía đông bắc {PROVINCE}, có {a.units - 1} đơn vị hành chính "
        "cấp xã trên cổng thông tin này. Kinh tế của huyện dựa trên sản xuất nông, lâm nghiệp, trong đó cây chè "
        "và cây ăn quả có múi là thế mạnh.",
        "Huyện xác định xây dựng chính quyền điện tử và chuyển đổi số là nhiệm vụ trọng tâm của cải cách hành "
        "chính, đưa dịch vụ công trực tuyến và kỹ năng số đến với mọi người dân.",
    ]
    intro_en = [
        "Dong Hy is a midland and mountainous district in the north-east of Thai Nguyen province. Its economy "
        "rests on farming and forestry, with tea and citrus fruit as its strengths.",
        "The district has made e-government and digital transformation the core of its administrative reform.",
    ]
    write(os.path.join(content, "_unit.yaml"),
          unit_yaml(g, "Huyện Đồng Hỷ", "Dong Hy District", "huyện", "donghy", intro_vi, intro_en, True))
    units.append(("", DISTRICT, "tin-tuc"))
    used = set()
    for k in range(a.units - 1):
        base = COMMUNES[k % len(COMMUNES)]
        name = base if k < len(COMMUNES) else f"{base} {k // len(COMMUNES) + 1}"
        slug = "xa-" + slugify(name)
        assert slug not in used
        used.add(slug)
        vi, en = commune_intro(g, name)
        en_name = slugify(name).replace("-", " ").title() + " Commune"
        write(os.path.join(content, slug, "_unit.yaml"),
              unit_yaml(g, "Xã " + name, en_name, "xã", slug, vi, en, False))
        units.append((slug, "xã " + name, slug))

    # tags
    tag_pool = list(TAG_POOL_BASE) + [f"năm {y}" for y in range(2015, 2026)] + \
        ["xã " + c for c in COMMUNES]
    seen_tag = {}
    for t in tag_pool:
        assert slugify(t) not in seen_tag, t
        seen_tag[slugify(t)] = t

    # SVGs per folder
    def folder_images(folder):
        return [f"anh-{i}.svg" for i in range(1, SVG_PER_FOLDER + 1)]

    for (udir, _, _) in units:
        for i in range(1, SVG_PER_FOLDER + 1):
            bg, fg = SVG_COLOURS[(i - 1) % len(SVG_COLOURS)]
            write(os.path.join(content, udir, "tin-tuc", f"anh-{i}.svg"),
                  SVG.format(bg=bg, fg=fg, cx=60 + 40 * i))
            if a.hugo:
                write(os.path.join(a.hugo, "static", f"anh-{i}.svg"), SVG.format(bg=bg, fg=fg, cx=60 + 40 * i))

    # articles
    weights = [3.0] + [1.0] * (a.units - 1)
    titles_seen = [set() for _ in units]
    files_seen = [set() for _ in units]
    cat_names = {s: vi for s, vi, _ in CATEGORIES}
    start = 1420045200  # 2015-01-01 00:00 +07:00
    end = 1767200400    # 2025-12-31 24:00 +07:00
    total_words = 0
    for n in range(a.articles):
        ui = r.choices(range(len(units)), weights)[0]
        udir, uname, section = units[ui]
        ts = r.randint(start, end)
        ts = ts - ts % 60
        local = datetime.datetime.fromtimestamp(ts, datetime.timezone(datetime.timedelta(hours=7)))
        local = local.replace(hour=r.randint(7, 17))
        date = local.isoformat()
        year = local.year
        ctx = {"unit": uname, "year": year}
        cat = r.choice(CATEGORIES)[0]
        title = cap(prose.fill(r.choice(TITLES[cat]), ctx))
        # unique title per unit (by slug, which is what the URL uses)
        base_title = title
        k = 1
        while slugify(title) in titles_seen[ui]:
            k += 1
            title = f"{base_title} (đợt {k})" if k < 4 else f"{base_title} - {r.choice(HAMLETS)} ({k})"
        titles_seen[ui].add(slugify(title))
        fslug = slugify(title)
        if len(fslug) > 70:
            fslug = fslug[:70].rsplit("-", 1)[0]
        fname = f"{local:%Y-%m-%d}-{fslug}.md"
        while fname in files_seen[ui]:
            fname = fname[:-3] + "-2.md"
        files_seen[ui].add(fname)
        tags = r.sample(tag_pool, r.randint(1, 4))
        author = r.choice(AUTHORS)
        summary = cap(prose.fill(r.choice(SUMMARIES[cat]), ctx)) if r.random() < 0.4 else None
        also = ui != 0 and r.random() < 0.15
        featured = r.random() < 0.004
        blocks, more_at = make_body(g, prose, ctx, cat, folder_images(udir))
        if summary is None:
            blocks = blocks[:more_at] + ["<!-- more -->"] + blocks[more_at:]
        body = "\n\n".join(blocks) + "\n"
        total_words += len(body.split())

        fm = ["---", f"title: {q(title)}", f"date: {date}", f"category: {cat}",
              "tags: [" + ", ".join(q(t) for t in tags) + "]", f"author: {q(author)}"]
        if r.random() < 0.5:
            fm.append(f"source: {q('UBND ' + uname if ui else 'Trung tâm Văn hóa - Thể thao và Truyền thông')}")
        if summary:
            fm.append(f"summary: {q(summary)}")
        if also:
            fm.append("also_on: [parent]")
        if featured:
            fm.append("featured: true")
        fm.append("---")
        write(os.path.join(content, udir, "tin-tuc", fname), "\n".join(fm) + "\n" + body)

        if a.hugo:
            hf = ["---", f"title: {q(title)}", f"date: {date}",
                  f"categories: [{q(cat_names[cat])}]",
                  "tags: [" + ", ".join(q(t) for t in tags) + "]", f"author: {q(author)}"]
            if summary:
                hf.append(f"summary: {q(summary)}")
            hf.append("---")
            hbody = body.replace("](anh-", "](/anh-")
            write(os.path.join(a.hugo, "content", section, fname), "\n".join(hf) + "\n" + hbody)

    if a.hugo:
        write_hugo_site(a.hugo, units)
    print(f"wrote {a.articles} articles ({total_words // max(a.articles, 1)} words each on average) "
          f"over {a.units} units into {content}" + (f" and {a.hugo}" if a.hugo else ""))


HUGO_TOML = """baseURL = "https://bench.example.gov.vn/"
locale = "vi"
defaultContentLanguage = "vi"
title = "Cổng thông tin điện tử huyện Đồng Hỷ (bản đo hiệu năng)"
enableRobotsTXT = true
disableKinds = []

[pagination]
  pagerSize = 10

[taxonomies]
  category = "categories"
  tag = "tags"

[outputs]
  home = ["html", "rss"]
  section = ["html", "rss"]
  taxonomy = ["html"]
  term = ["html", "rss"]

[services.rss]
  limit = 20

[markup.goldmark.renderer]
  unsafe = true
"""

HUGO_BASEOF = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} - {{ end }}{{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}" title="{{ site.Title }}">{{ end }}
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="/css/site.css">
</head>
<body>
<header class="site-header"><a class="brand" href="/">{{ site.Title }}</a>
<nav><ul>{{ range site.Taxonomies.categories.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a></li>{{ end }}</ul></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer class="site-footer"><p>{{ site.Title }}</p><p><a href="https://dichvucong.gov.vn">Cổng Dịch vụ công quốc gia</a></p></footer>
</body>
</html>
"""

HUGO_SINGLE = """{{ define "main" }}<article class="article">
<header>
<p class="meta">{{ range .GetTerms "categories" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
<h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02/01/2006 15:04" }}</time> · {{ .Section }}</p>
</header>
{{ with .Params.summary }}<p class="lead">{{ . }}</p>{{ end }}
{{ if gt (len .Fragments.Headings) 2 }}{{ .TableOfContents }}{{ end }}
<div class="body">{{ .Content }}</div>
<footer class="article-footer">
{{ with .Params.author }}<p class="byline">Tác giả: <strong>{{ . }}</strong></p>{{ end }}
<p class="tags">Từ khóa: {{ range $i, $t := .GetTerms "tags" }}{{ if $i }}, {{ end }}<a href="{{ $t.RelPermalink }}">{{ $t.LinkTitle }}</a>{{ end }}</p>
</footer>
</article>
{{ $self := . }}{{ with index (.GetTerms "categories") 0 }}{{ with first 5 (where (first 6 .Pages) "RelPermalink" "ne" $self.RelPermalink) }}<section class="related"><h2>Bài cùng chuyên mục</h2>
<ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02" }}">({{ .Date.Format "02/01/2006" }})</time></li>{{ end }}</ul>
</section>{{ end }}{{ end }}
{{ end }}
"""

HUGO_LIST = """{{ define "main" }}<h1>{{ if .IsHome }}Tin mới{{ else }}{{ .Title }}{{ end }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
{{ $pager := .Paginate $pages }}
<div class="cards">{{ range $pager.Pages }}<article class="card">
<h2><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></h2>
{{ if .IsPage }}<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "02/01/2006" }}</time></p>
<p>{{ .Summary | plainify | truncate 280 }}</p>{{ else }}<p>{{ len .Pages }} bài</p>{{ end }}
</article>{{ end }}</div>
{{ with $pager }}{{ if gt .TotalPages 1 }}<nav class="pagination">{{ if .HasPrev }}<a rel="prev" href="{{ .Prev.URL }}">« Trước</a>{{ end }}
<span>Trang {{ .PageNumber }}/{{ .TotalPages }}</span>{{ if .HasNext }}<a rel="next" href="{{ .Next.URL }}">Sau »</a>{{ end }}</nav>{{ end }}{{ end }}
{{ end }}
"""

HUGO_CSS = "body{font-family:sans-serif;max-width:60rem;margin:auto}.card{border-bottom:1px solid #ddd}\n"


def write_hugo_site(root, units):
    write(os.path.join(root, "hugo.toml"), HUGO_TOML)
    write(os.path.join(root, "layouts", "baseof.html"), HUGO_BASEOF)
    write(os.path.join(root, "layouts", "single.html"), HUGO_SINGLE)
    write(os.path.join(root, "layouts", "list.html"), HUGO_LIST)
    write(os.path.join(root, "static", "css", "site.css"), HUGO_CSS)
    for _, uname, section in units:
        write(os.path.join(root, "content", section, "_index.md"),
              f"---\ntitle: {q('Tin tức ' + uname)}\n---\n")


if __name__ == "__main__":
    main()
