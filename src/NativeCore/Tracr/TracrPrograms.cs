namespace NativeCore.Tracr;

/// <summary>The paper's two RASP programs (spec tracr.md §3) and their vocabularies.</summary>
internal static class TracrPrograms
{
    /// <summary>The Counter's letters a…i.</summary>
    public static IReadOnlyList<string> CounterVocabulary { get; } = Letters(9);

    /// <summary>The Max-identifier's letters a…z.</summary>
    public static IReadOnlyList<string> MaxIdentifierVocabulary { get; } = Letters(26);

    /// <summary>
    /// Counter: <c>bin = Map(tokens, t == 'a')</c>; <c>count = SelectorWidth(Select(bin, indices, EQ))</c>;
    /// <c>out = Aggregate(Select(indices, indices, EQ), count)</c>. Because True equals 1, index 1 selects the
    /// <c>a</c> positions, so RASP index 1 (model position 2) holds count(a).
    /// </summary>
    public static Sop Counter(string letter = "a")
    {
        var bin = new MapSop(TokensSop.Instance, t => RaspValue.Of(t == RaspValue.Of(letter)), "bin");
        var count = new SelectorWidthSop(new Selector(bin, IndicesSop.Instance, Comparison.EQ), "count");
        return new AggregateSop(new Selector(IndicesSop.Instance, IndicesSop.Instance, Comparison.EQ), count, "out");
    }

    /// <summary>
    /// Max-identifier: <c>n = SelectorWidth(Select(tokens, tokens, LT))</c> counts the smaller tokens;
    /// <c>target = Map(n, w == rank − 1)</c>; <c>out = Aggregate(Select(target, indices, EQ), tokens)</c>, so RASP index
    /// 1 holds the <paramref name="rank"/>-th smallest token.
    /// </summary>
    public static Sop MaxIdentifier(int rank = 5)
    {
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), rank, "rank counts from 1");
        var smaller = new SelectorWidthSop(new Selector(TokensSop.Instance, TokensSop.Instance, Comparison.LT), "n");
        var target = new MapSop(smaller, w => RaspValue.Of(w == RaspValue.Of(rank - 1)), "target");
        return new AggregateSop(new Selector(target, IndicesSop.Instance, Comparison.EQ), TokensSop.Instance, "out");
    }

    /// <summary>The program called <paramref name="name"/> (counter or maxid) with its vocabulary.</summary>
    public static (Sop Program, IReadOnlyList<string> Vocabulary) ByName(string name) => name switch
    {
        "counter" => (Counter(), CounterVocabulary),
        "maxid" => (MaxIdentifier(), MaxIdentifierVocabulary),
        _ => throw new InvalidConfigException($"--program must be counter or maxid, got '{name}'"),
    };

    /// <summary>Compiles the program called <paramref name="name"/>, recording its name in the model.</summary>
    public static CompiledModel Compile(string name, TracrOptions options)
    {
        var (program, vocabulary) = ByName(name);
        return TracrCompiler.Compile(program, vocabulary, options) with { Program = name };
    }

    /// <summary>The default N of each program (spec §3: Counter 45, Max-identifier 12).</summary>
    public static int DefaultMaxLength(string name) => name == "maxid" ? 12 : 45;

    private static string[] Letters(int n) => Enumerable.Range(0, n).Select(i => ((char)('a' + i)).ToString()).ToArray();
}
