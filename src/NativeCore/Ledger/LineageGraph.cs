using NativeCore.Training;
using System.Globalization;
using System.Text;
using NativeCore.IO;
using NativeCore.Stories;
using NativeCore.Tracr;

namespace NativeCore.Ledger;

/// <summary>One model in the ledger's tree.</summary>
/// <param name="Id">A stable node id (the model or checkpoint folder, full path).</param>
/// <param name="Label">What the node shows: run, setting and stage, task or program, lr, user, time.</param>
/// <param name="Parent">The parent's id, or null for a first model (pre-trained from scratch or compiled).</param>
internal sealed record LineageNode(string Id, string Label, string? Parent);

/// <summary>
/// The fine-tune ledger of a folder as a tree: every model of every setting and the parents they name, written as a
/// Graphviz DOT file and as a PNG drawn by the registered figure renderer (no Graphviz needed).
/// </summary>
internal static class LineageGraph
{
    /// <summary>Collects every model under <paramref name="root"/> (see <see cref="ModelFolders"/>) and their parents.</summary>
    public static IReadOnlyList<LineageNode> Collect(string root)
    {
        var nodes = new Dictionary<string, LineageNode>(StringComparer.Ordinal);
        foreach (string folder in ModelFolders(root))
        {
            var chain = LineageChain.Walk(folder);
            for (int i = 0; i < chain.Count; i++)
            {
                string id = Path.GetFullPath(chain[i].Directory);
                if (nodes.ContainsKey(id)) continue;
                // The parent is the folder the walk read, not the path the child recorded: a recorded run folder
                // resolves to its latest checkpoint, and the edge must meet that node.
                nodes[id] = new LineageNode(id, Label(chain[i]), i == 0 ? null : Path.GetFullPath(chain[i - 1].Directory));
            }
        }
        return nodes.Values.ToList();
    }

    /// <summary>
    /// The model folders under <paramref name="root"/>: grammar run folders (a <c>latest</c> file) and Tracr and
    /// stories models (their sidecar), each once, in path order. A folder inside another model's <c>checkpoints/</c>
    /// is that model's history, not a model of its own, and is left out.
    /// </summary>
    public static IReadOnlyList<string> ModelFolders(string root)
    {
        var found = new[] { "latest", ModelCard.FileName, ModelCard.LegacyNames[ModelCard.Tracr], ModelCard.LegacyNames[ModelCard.Stories] }
            .SelectMany(name => Directory.GetFiles(root, name, SearchOption.AllDirectories))
            .Select(file => Path.GetDirectoryName(Path.GetFullPath(file))!)
            .ToHashSet(StringComparer.Ordinal);
        return found.Where(dir => !InsideCheckpointsOf(dir, found)).Order(StringComparer.Ordinal).ToList();
    }

    private static bool InsideCheckpointsOf(string dir, HashSet<string> models)
    {
        for (string? p = Path.GetDirectoryName(dir); p is not null; p = Path.GetDirectoryName(p))
            if (Path.GetFileName(p) == "checkpoints" && Path.GetDirectoryName(p) is { } owner && models.Contains(owner)) return true;
        return false;
    }

    private static string Label(LineageLink link)
    {
        string stage = $"{link.Setting.ToString().ToLowerInvariant()} {link.Stage}{(link.Step is { } step ? string.Create(CultureInfo.InvariantCulture, $" step {step}") : "")}";
        string when = link.EndedUtc is { } t ? " " + t[..Math.Min(16, t.Length)] : "";
        return string.Join("\n", new[] { LineageText.Name(link), stage }.Concat(LineageText.Highlights(link)).Append($"{link.User ?? "?"}@{link.Host ?? "?"}{when}"));
    }

    /// <summary>Graphviz DOT text of the tree.</summary>
    public static string ToDot(IReadOnlyList<LineageNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var ids = nodes.Select((n, i) => (n.Id, Name: $"n{i}")).ToDictionary(x => x.Id, x => x.Name, StringComparer.Ordinal);
        var sb = new StringBuilder("digraph lineage {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
        foreach (var n in nodes) sb.Append(CultureInfo.InvariantCulture, $"  {ids[n.Id]} [label=\"{n.Label.Replace("\"", "'", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"];\n");
        foreach (var n in nodes.Where(n => n.Parent is not null && ids.ContainsKey(n.Parent!)))
            sb.Append(CultureInfo.InvariantCulture, $"  {ids[n.Parent!]} -> {ids[n.Id]};\n");
        return sb.Append("}\n").ToString();
    }

    /// <summary>Writes lineage.dot and lineage.png into <paramref name="directory"/>; returns the node count.</summary>
    public static int Write(string root, string directory)
    {
        var nodes = Collect(root);
        Directory.CreateDirectory(directory);
        // The graph goes into a folder of runs that NativeCore did not claim as a whole, so it replaces only a graph it
        // wrote itself (recognised by its dot file's first line), never a user's file of the same name.
        string dot = Path.Combine(directory, "lineage.dot"), png = Path.Combine(directory, "lineage.png");
        bool ours = File.Exists(dot) && File.ReadLines(dot).FirstOrDefault() == "digraph lineage {";
        foreach (string file in new[] { dot, png })
            if ((File.Exists(file) || Directory.Exists(file)) && !ours)
                throw new OutputFolderException($"{file} exists and was not written by lineage --graph; move it away or choose another folder");
        AtomicFile.WriteAllText(dot, ToDot(nodes));
        // Layout: depth across (parents left of children), siblings down, in a stable order.
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        int Depth(LineageNode n) => depth.TryGetValue(n.Id, out int d) ? d
            : depth[n.Id] = n.Parent is null || nodes.All(p => p.Id != n.Parent) ? 0 : 1 + Depth(nodes.First(p => p.Id == n.Parent));
        var rows = new Dictionary<int, int>();
        var position = new Dictionary<string, (double X, double Y)>(StringComparer.Ordinal);
        foreach (var n in nodes.OrderBy(Depth).ThenBy(n => n.Id, StringComparer.Ordinal))
        {
            int d = Depth(n);
            int row = rows.TryGetValue(d, out int r) ? r : 0;
            rows[d] = row + 1;
            position[n.Id] = (d * 4.0, -row * 2.0);
        }
        var boxes = nodes.ToDictionary(n => n.Id, n => new GraphNode(n.Label, position[n.Id].X, position[n.Id].Y), StringComparer.Ordinal);
        var arrows = nodes.Where(n => n.Parent is not null && position.ContainsKey(n.Parent!)).Select(n => (boxes[n.Parent!], boxes[n.Id])).ToList();
        int maxDepth = depth.Count == 0 ? 0 : depth.Values.Max(), maxRows = rows.Count == 0 ? 1 : rows.Values.Max();
        Plots.Write(png, Plots.Renderer?.Graph([.. boxes.Values], arrows, (-2, maxDepth * 4 + 2, -maxRows * 2 + 1, 1), Math.Max(600, 320 * (maxDepth + 1)), Math.Max(300, 130 * maxRows)));
        return nodes.Count;
    }
}
