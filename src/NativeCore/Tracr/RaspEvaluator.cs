namespace NativeCore.Tracr;

/// <summary>
/// The reference semantics of the RASP subset, evaluated directly on a token sequence. A position whose value is
/// undefined holds null: a categorical Aggregate that selects nothing, or selects values that disagree.
/// </summary>
internal static class RaspEvaluator
{
    /// <summary>The value of <paramref name="program"/> at every position of <paramref name="tokens"/>.</summary>
    public static RaspValue?[] Evaluate(Sop program, IReadOnlyList<RaspValue> tokens)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(tokens);
        return Eval(program, tokens, new Dictionary<Sop, RaspValue?[]>());
    }

    private static RaspValue?[] Eval(Sop sop, IReadOnlyList<RaspValue> tokens, Dictionary<Sop, RaspValue?[]> memo)
    {
        if (memo.TryGetValue(sop, out var known)) return known;
        int n = tokens.Count;
        RaspValue?[] result = sop switch
        {
            TokensSop => tokens.Select(t => (RaspValue?)t).ToArray(),
            IndicesSop => Enumerable.Range(0, n).Select(i => (RaspValue?)RaspValue.Of(i)).ToArray(),
            MapSop m => Eval(m.Input, tokens, memo).Select(v => v is { } x ? m.Function(x) : (RaspValue?)null).ToArray(),
            SelectorWidthSop w => Select(w.Selector, tokens, memo).Select(row => (RaspValue?)RaspValue.Of(row.Count(s => s))).ToArray(),
            AggregateSop a => Aggregate(Select(a.Selector, tokens, memo), Eval(a.Source, tokens, memo)),
            _ => throw new NotSupportedException($"{sop.GetType().Name} is not in the RASP subset"),
        };
        memo[sop] = result;
        return result;
    }

    /// <summary>selected[q][k] = predicate(keys[k], queries[q]); an undefined key or query selects nothing.</summary>
    public static bool[][] Select(Selector selector, IReadOnlyList<RaspValue> tokens) =>
        Select(selector, tokens, new Dictionary<Sop, RaspValue?[]>());

    private static bool[][] Select(Selector selector, IReadOnlyList<RaspValue> tokens, Dictionary<Sop, RaspValue?[]> memo)
    {
        var keys = Eval(selector.Keys, tokens, memo);
        var queries = Eval(selector.Queries, tokens, memo);
        return queries.Select(q => keys.Select(k => q is { } qv && k is { } kv && selector.Predicate.Holds(kv, qv)).ToArray()).ToArray();
    }

    private static RaspValue?[] Aggregate(bool[][] selected, RaspValue?[] source) =>
        selected.Select(row =>
        {
            var values = source.Where((_, k) => row[k]).ToList();
            bool agree = values.Count > 0 && values.All(v => v is not null && v == values[0]);
            return agree ? values[0] : null;
        }).ToArray();
}
