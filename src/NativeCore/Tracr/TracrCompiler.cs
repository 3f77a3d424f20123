using NativeCore.Model;

namespace NativeCore.Tracr;

/// <summary>Compiler settings; the defaults are Tracr's.</summary>
/// <param name="MaxLength">N: the longest input (the model has N + 1 positions with BOS).</param>
/// <param name="MlpExactness">L of the SelectorWidth decoder; exact while L ≥ 2·w(w+1) for every reachable w.</param>
/// <param name="Coldness">The attention's inverse temperature before the model's 1/√key_size.</param>
internal sealed record TracrOptions(int MaxLength, double MlpExactness = 100, double Coldness = 100);

/// <summary>
/// Compiles the RASP subset to transformer weights the way Tracr does (spec tracr.md §1–2): value-set inference, a
/// residual stream of named one-hot directions, categorical MLP lookup tables, attention heads with the BOS trick,
/// SelectorWidth as a head plus a discretising MLP, layer allocation by depth, and assembly into a
/// <see cref="GptConfig"/> with no norm, ReLU MLPs and non-causal attention.
/// </summary>
internal static class TracrCompiler
{
    /// <summary>The token direction every sequence starts with.</summary>
    public const string Bos = "BOS";

    /// <summary>The padding token direction (part of the token space, as in Tracr).</summary>
    public const string Pad = "PAD";

    /// <summary>Compiles <paramref name="program"/> over the input <paramref name="vocabulary"/>.</summary>
    /// <exception cref="ArgumentException">The vocabulary is empty or holds BOS or PAD, or N is not positive.</exception>
    public static CompiledModel Compile(Sop program, IReadOnlyList<string> vocabulary, TracrOptions options)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(options);
        if (vocabulary.Count == 0 || vocabulary.Contains(Bos) || vocabulary.Contains(Pad))
            throw new ArgumentException($"the vocabulary must be non-empty and must not contain {Bos} or {Pad}", nameof(vocabulary));
        if (options.MaxLength <= 0) throw new ArgumentException($"max length must be positive, got {options.MaxLength}", nameof(options));

        var nodes = TopologicalOrder(program);
        var values = InferValueSets(nodes, vocabulary, options.MaxLength);
        var layers = LayerAllocation.Allocate(nodes);
        var layout = new ResidualLayout(Directions(nodes, values, vocabulary, options.MaxLength));
        var blocks = new BlockBuilder(layout, values, options, layers.LayerCount);
        foreach (var node in nodes)
        {
            switch (node)
            {
                case MapSop m: blocks.Map(layers.MlpLayer[m], m); break;
                case AggregateSop a: blocks.Aggregate(layers.AttentionLayer[a], a); break;
                case SelectorWidthSop w: blocks.SelectorWidth(layers.AttentionLayer[w], w); break;
            }
        }
        return blocks.Assemble(program, vocabulary);
    }

    /// <summary>Every SOp the program reads, inputs before the SOps that read them.</summary>
    public static IReadOnlyList<Sop> TopologicalOrder(Sop program)
    {
        var order = new List<Sop>();
        var seen = new HashSet<Sop>();
        var labels = new Dictionary<string, Sop>(StringComparer.Ordinal);
        void Visit(Sop s)
        {
            if (!seen.Add(s)) return;
            if (labels.TryGetValue(s.Label, out var other) && !ReferenceEquals(other, s))
                throw new ArgumentException($"two different SOps are labelled '{s.Label}'; labels name residual directions and must be unique");
            labels[s.Label] = s;
            foreach (var i in s.Inputs) Visit(i);
            order.Add(s);
        }
        Visit(program);
        return order;
    }

    /// <summary>The values each SOp can take: tokens the vocabulary, indices 0…N−1, a Map the image of its input's set, a SelectorWidth 0…N, an Aggregate its source's set.</summary>
    public static IReadOnlyDictionary<Sop, IReadOnlyList<RaspValue>> InferValueSets(IReadOnlyList<Sop> nodes, IReadOnlyList<string> vocabulary, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var sets = new Dictionary<Sop, IReadOnlyList<RaspValue>>();
        foreach (var node in nodes)
        {
            IEnumerable<RaspValue> set = node switch
            {
                TokensSop => vocabulary.Select(RaspValue.Of),
                IndicesSop => Enumerable.Range(0, maxLength).Select(RaspValue.Of),
                MapSop m => sets[m.Input].Select(m.Function),
                SelectorWidthSop => Enumerable.Range(0, maxLength + 1).Select(RaspValue.Of),
                AggregateSop a => sets[a.Source],
                _ => throw new NotSupportedException($"{node.GetType().Name} is not in the RASP subset"),
            };
            sets[node] = set.Distinct().Order().ToList();
        }
        return sets;
    }

    private static IEnumerable<Direction> Directions(IReadOnlyList<Sop> nodes, IReadOnlyDictionary<Sop, IReadOnlyList<RaspValue>> values, IReadOnlyList<string> vocabulary, int maxLength)
    {
        foreach (string t in vocabulary.Append(Bos).Append(Pad)) yield return new Direction("tokens", RaspValue.Of(t));
        for (int i = 0; i < maxLength; i++) yield return new Direction("indices", RaspValue.Of(i));
        yield return new Direction("one", null);
        foreach (var node in nodes)
        {
            if (node is TokensSop or IndicesSop) continue;
            foreach (var v in values[node]) yield return new Direction(node.Label, v);
            if (node is SelectorWidthSop w) yield return new Direction(w.AttentionOutputLabel, null);
        }
    }
}
