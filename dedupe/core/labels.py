"""Interface labels and page chrome of the scraped layouts, as data in one place.

Parsers use these to find sections and to drop chrome; the validation checks use the same
lists to spot labels that leaked into field values.
"""

# Section labels of the Web of Science mirror with a Chinese interface (a whole line each).
WOS_CN_SECTIONS = {
    "作者": "authors",
    "机构": "affiliations",
    "来源": "source",
    "关键词": "keywords",
    "D O I": "doi",
    "DOI": "doi",
    "中图分类号": "classification",
    "学科分类号": "subject_code",
    "摘要": "abstract",
    "相关论文": "related",
}
# Inline labels "label:value" (full-width or ASCII colon) of that layout.
WOS_CN_INLINE = {"被引": "times_cited", "页码": "pages", "页数": "page_count"}
# Lines of that layout that are user-interface actions, not data.
WOS_CN_CHROME = {"|", "引用", "收藏", "导出", "分享", "订阅此论文施引文献"}

# Chinese UI words that must never appear inside a field of a Latin-script record.
CHINESE_UI_WORDS = [
    "订阅此论文施引文献",
    "施引文献",
    "相关论文",
    "中图分类号",
    "学科分类号",
    "被引",
    "作者",
    "机构",
    "来源",
    "关键词",
    "摘要",
    "引用",
    "收藏",
    "页码",
    "页数",
    "注册",
    "免费订阅",
    "查看论文",
    "全部施引",
    "导出",
    "分享",
]
# Patterns for the "共 N 条" counter and the 年/卷/期 units glued to numbers.
CHINESE_UI_PATTERNS = [r"共\s*\d+\s*条", r"\d+\s*[年卷期]"]

# English page chrome of the scraped sites (matched case-insensitively, whole line or inside).
# Whole phrases only: a single "Sign in" could be prose.
ENGLISH_CHROME = [
    "Sign in / Sign up",
    "Export Citation Format",
    "Share Document",
    "Download PDF",
    "View Full Text",
    "Add to Library",
    "Request Permissions",
]
# Breadcrumbs glued before a title.
BREADCRUMBS = ["scholarly journals", "scholarly journal"]
# Labels that pages glue to the value that follows them ("AbstractThis study…").
GLUED_LABELS = [
    "Abstract",
    "Background",
    "Summary",
    "Reference",
    "References",
    "Keywords",
    "Introduction",
    "Objective",
    "Purpose",
]
# Labels spelled out letter by letter ("D O I").
SPACED_LABELS = ["DOI", "ISSN", "ISBN", "PMID", "URL"]

# Labels of the abstract page with a reference list.
ABSTRACT_PAGE_LABELS = {
    "author": "authors",
    "authors": "authors",
    "author(s)": "authors",
    "abstract": "abstract",
    "funder": "funder",
    "funders": "funder",
    "publisher": "publisher",
    "cited by": "cited_by",
    "title": "title",
    "doi": "doi",
    "journal": "journal",
    "year": "year",
}
