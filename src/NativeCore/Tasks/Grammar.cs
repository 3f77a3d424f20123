namespace NativeCore.Tasks;

/// <summary>
/// The paper's PCFG (spec §2) as data: layered non-terminals s → {p,q,r} → {m,n,o} → {j,k,l} → {g,h,i} → {d,e,f} →
/// terminals {a,b,c}, each with two right-hand sides of probability ½.
/// </summary>
public static class Grammar
{
    /// <summary>The start symbol.</summary>
    public const char Start = 's';

    /// <summary>The rule table: each non-terminal's two right-hand sides, as strings of symbols.</summary>
    public static IReadOnlyDictionary<char, string[]> Rules { get; } = new Dictionary<char, string[]>
    {
        ['s'] = ["rq", "qp"],
        ['p'] = ["mno", "nom"],
        ['q'] = ["nmo", "mn"],
        ['r'] = ["om", "mon"],
        ['m'] = ["lj", "jlk"],
        ['n'] = ["kjl", "ljk"],
        ['o'] = ["lkj", "kj"],
        ['j'] = ["hi", "ih"],
        ['k'] = ["hgi", "ghi"],
        ['l'] = ["ihg", "hig"],
        ['g'] = ["dfe", "fed"],
        ['h'] = ["edf", "def"],
        ['i'] = ["efd", "fde"],
        ['d'] = ["ca", "abc"],
        ['e'] = ["cb", "cab"],
        ['f'] = ["cba", "ba"],
    };

    /// <summary>Whether <paramref name="symbol"/> is a terminal (a, b or c).</summary>
    public static bool IsTerminal(char symbol) => symbol is 'a' or 'b' or 'c';

    /// <summary>
    /// Expands <see cref="Start"/> to terminals, appending them to <paramref name="output"/> as 0 (a), 1 (b) or 2 (c).
    /// Left-most expansion with an explicit stack, each choice a fair coin from <paramref name="rng"/>.
    /// </summary>
    public static void Derive(ref SampleRng rng, List<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<char> stack = stackalloc char[512];
        int top = 0;
        stack[top++] = Start;
        while (top > 0)
        {
            char sym = stack[--top];
            if (IsTerminal(sym))
            {
                output.Add((byte)(sym - 'a'));
                continue;
            }
            string rhs = Rules[sym][rng.NextBool() ? 1 : 0];
            for (int i = rhs.Length - 1; i >= 0; i--) stack[top++] = rhs[i];
        }
    }

    /// <summary>
    /// A window of <paramref name="length"/> terminals at a uniformly random offset of a derived string. A derivation
    /// shorter than the window is extended with further independent derivations (spec §2 default), so the window is
    /// always a substring of a concatenation of derivable strings.
    /// </summary>
    /// <param name="rng">The sample's random stream.</param>
    /// <param name="length">Window length (250 in the paper).</param>
    /// <param name="scratch">A reusable buffer for the full string.</param>
    /// <param name="segmentEnds">When not null, receives the end offset of every derivation in the full string (for parsers in tests).</param>
    /// <returns>The offset of the window inside <paramref name="scratch"/>.</returns>
    public static int Window(ref SampleRng rng, int length, List<byte> scratch, List<int>? segmentEnds = null)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.Clear();
        segmentEnds?.Clear();
        do
        {
            Derive(ref rng, scratch);
            segmentEnds?.Add(scratch.Count);
        }
        while (scratch.Count < length);
        return rng.Next(scratch.Count - length + 1);
    }
}
