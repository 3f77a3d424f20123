namespace NativeCore.Tests.Tasks;

/// <summary>
/// An independent recogniser for the spec's grammar, written from the rule table in the spec (not the product's
/// sampler): a memoised top-down parser that returns every end position a symbol can derive from a start position.
/// </summary>
internal sealed class GrammarParser
{
    private static readonly Dictionary<char, string[]> SpecRules = new()
    {
        ['s'] = ["r q", "q p"], ['p'] = ["m n o", "n o m"], ['q'] = ["n m o", "m n"], ['r'] = ["o m", "m o n"],
        ['m'] = ["l j", "j l k"], ['n'] = ["k j l", "l j k"], ['o'] = ["l k j", "k j"],
        ['j'] = ["h i", "i h"], ['k'] = ["h g i", "g h i"], ['l'] = ["i h g", "h i g"],
        ['g'] = ["d f e", "f e d"], ['h'] = ["e d f", "d e f"], ['i'] = ["e f d", "f d e"],
        ['d'] = ["c a", "a b c"], ['e'] = ["c b", "c a b"], ['f'] = ["c b a", "b a"],
    };

    private readonly string _text;
    private readonly Dictionary<(char, int), HashSet<int>> _memo = [];

    private GrammarParser(string text) => _text = text;

    /// <summary>Whether <paramref name="text"/> (letters a, b, c) is derivable from s.</summary>
    public static bool Derivable(string text) => new GrammarParser(text).Ends('s', 0).Contains(text.Length);

    private HashSet<int> Ends(char symbol, int start)
    {
        if (symbol is 'a' or 'b' or 'c')
            return start < _text.Length && _text[start] == symbol ? [start + 1] : [];
        if (_memo.TryGetValue((symbol, start), out var cached)) return cached;
        var result = new HashSet<int>();
        foreach (string rhs in SpecRules[symbol])
        {
            var positions = new HashSet<int> { start };
            foreach (string part in rhs.Split(' '))
            {
                var next = new HashSet<int>();
                foreach (int p in positions) next.UnionWith(Ends(part[0], p));
                positions = next;
            }
            result.UnionWith(positions);
        }
        _memo[(symbol, start)] = result;
        return result;
    }
}
