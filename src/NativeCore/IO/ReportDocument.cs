using System.Net;
using System.Text;

namespace NativeCore.IO;

/// <summary>
/// A report built once and rendered twice: Markdown (images linked relative to the report) and a self-contained HTML
/// page (images embedded as data URIs), so both always say the same thing.
/// </summary>
public sealed class ReportDocument
{
    private abstract record Block;
    private sealed record Heading(int Level, string Text) : Block;
    private sealed record Paragraph(string Text) : Block;
    private sealed record TableBlock(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) : Block;
    private sealed record Image(string RelativePath, string Caption) : Block;
    private sealed record Code(string Text) : Block;
    private sealed record Bullets(IReadOnlyList<string> Items) : Block;

    private readonly List<Block> _blocks = [];

    /// <summary>Adds a heading (level 1–3).</summary>
    public ReportDocument H(int level, string text)
    {
        _blocks.Add(new Heading(level, text));
        return this;
    }

    /// <summary>Adds a paragraph; **bold** spans are kept in both renderings.</summary>
    public ReportDocument P(string text)
    {
        _blocks.Add(new Paragraph(text));
        return this;
    }

    /// <summary>Adds a table.</summary>
    public ReportDocument Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _blocks.Add(new TableBlock(header, rows.ToList()));
        return this;
    }

    /// <summary>Adds an image, given relative to the report's folder.</summary>
    public ReportDocument Img(string relativePath, string caption)
    {
        _blocks.Add(new Image(relativePath.Replace('\\', '/'), caption));
        return this;
    }

    /// <summary>Adds a bulleted list.</summary>
    public ReportDocument List(IEnumerable<string> items)
    {
        _blocks.Add(new Bullets(items.ToList()));
        return this;
    }

    /// <summary>Adds preformatted text (the resolved config).</summary>
    public ReportDocument Pre(string text)
    {
        _blocks.Add(new Code(text));
        return this;
    }

    /// <summary>The Markdown rendering.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        foreach (var b in _blocks)
        {
            switch (b)
            {
                case Heading h: sb.Append('#', h.Level).Append(' ').AppendLine(h.Text).AppendLine(); break;
                case Paragraph p: sb.AppendLine(p.Text).AppendLine(); break;
                case TableBlock t:
                    sb.AppendLine("| " + string.Join(" | ", t.Header.Select(Cell)) + " |");
                    sb.AppendLine("|" + string.Concat(t.Header.Select(_ => "---|")));
                    foreach (var row in t.Rows) sb.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
                    sb.AppendLine();
                    break;
                case Image i: sb.AppendLine($"![{i.Caption}]({i.RelativePath})").AppendLine().AppendLine($"*{i.Caption}*").AppendLine(); break;
                case Code c: sb.AppendLine("```json").AppendLine(c.Text).AppendLine("```").AppendLine(); break;
                case Bullets l:
                    foreach (string item in l.Items) sb.Append("- ").AppendLine(item);
                    sb.AppendLine();
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>The HTML rendering, with every image read from <paramref name="baseDirectory"/> and embedded.</summary>
    public string ToHtml(string title, string baseDirectory)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + Enc(title) + "</title><style>");
        sb.AppendLine("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}");
        sb.AppendLine("table{border-collapse:collapse;margin:1em 0;font-size:0.9em}td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}");
        sb.AppendLine("img{max-width:100%;border:1px solid #ddd}figure{margin:1em 0}figcaption{font-style:italic;color:#555}pre{background:#f5f5f5;padding:1em;overflow:auto;font-size:0.8em}");
        sb.AppendLine(".reproduced{color:#0a6b0a;font-weight:bold}.not-reproduced{color:#b00;font-weight:bold}.not-tested{color:#777;font-weight:bold}.inconclusive{color:#a60;font-weight:bold}");
        sb.AppendLine("</style></head><body>");
        foreach (var b in _blocks)
        {
            switch (b)
            {
                case Heading h: sb.AppendLine($"<h{h.Level}>{Inline(h.Text)}</h{h.Level}>"); break;
                case Paragraph p: sb.AppendLine($"<p>{Inline(p.Text)}</p>"); break;
                case TableBlock t:
                    sb.AppendLine("<table><thead><tr>" + string.Concat(t.Header.Select(x => $"<th>{Inline(x)}</th>")) + "</tr></thead><tbody>");
                    foreach (var row in t.Rows) sb.AppendLine("<tr>" + string.Concat(row.Select(x => $"<td>{Inline(x)}</td>")) + "</tr>");
                    sb.AppendLine("</tbody></table>");
                    break;
                case Image i:
                    string file = Path.Combine(baseDirectory, i.RelativePath);
                    string src = File.Exists(file) ? "data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(file)) : Enc(i.RelativePath);
                    sb.AppendLine($"<figure><img src=\"{src}\" alt=\"{Enc(i.Caption)}\"><figcaption>{Inline(i.Caption)}</figcaption></figure>");
                    break;
                case Code c: sb.AppendLine($"<pre>{Enc(c.Text)}</pre>"); break;
                case Bullets l: sb.AppendLine("<ul>" + string.Concat(l.Items.Select(x => $"<li>{Inline(x)}</li>")) + "</ul>"); break;
            }
        }
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    /// <summary>HTML-encodes, then turns `code` into &lt;code&gt;, **bold** into &lt;strong&gt; and verdict words into coloured spans.</summary>
    private static string Inline(string s)
    {
        var code = Enc(s).Split('`');
        for (int i = 1; i < code.Length; i += 2)
            if (i < code.Length - 1) code[i] = $"<code>{code[i]}</code>";
        var parts = string.Concat(code.Select((c, i) => i % 2 == 1 && i == code.Length - 1 ? "`" + c : c)).Split("**");
        var sb = new StringBuilder();
        for (int i = 0; i < parts.Length; i++)
        {
            if (i % 2 == 0) sb.Append(parts[i]);
            else
            {
                string cls = parts[i] switch
                {
                    "reproduced" => "reproduced",
                    "not reproduced" => "not-reproduced",
                    "not tested" => "not-tested",
                    "inconclusive" => "inconclusive",
                    _ => "",
                };
                sb.Append(cls.Length > 0 ? $"<span class=\"{cls}\">{parts[i]}</span>" : $"<strong>{parts[i]}</strong>");
            }
        }
        return sb.ToString();
    }
}
