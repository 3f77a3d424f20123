using NativeCore.Tasks;

namespace NativeCore.Tests.Tasks;

public class GrammarTests
{
    private static string Letters(IEnumerable<byte> text) => new(text.Select(t => (char)('a' + t)).ToArray());

    [Fact]
    public void Parser_accepts_derivations_and_rejects_corruptions()
    {
        // The parser must be able to say no, or the window test below could not fail.
        var rng = new SampleRng(1, 1, 1);
        var text = new List<byte>();
        Grammar.Derive(ref rng, text);
        string s = Letters(text);
        Assert.True(GrammarParser.Derivable(s));
        Assert.False(GrammarParser.Derivable(s[..^1]));
        Assert.False(GrammarParser.Derivable("abc" + s));
    }

    [Fact]
    public void Every_window_is_a_window_of_derivable_strings()
    {
        var scratch = new List<byte>();
        var ends = new List<int>();
        int lengthsBelow250 = 0;
        for (int i = 0; i < 300; i++)
        {
            var rng = new SampleRng(7, 1, (ulong)i);
            int offset = Grammar.Window(ref rng, 250, scratch, ends);
            Assert.InRange(offset, 0, scratch.Count - 250);
            int start = 0;
            foreach (int end in ends)
            {
                string segment = Letters(scratch.GetRange(start, end - start));
                Assert.True(GrammarParser.Derivable(segment), $"sample {i}: segment [{start},{end}) is not derivable from s");
                Assert.InRange(segment.Length, 161, 384);
                start = end;
            }
            Assert.Equal(scratch.Count, start);
            if (ends[0] < 250) lengthsBelow250++;
        }
        // About a quarter of derivations are shorter than the window (spec §2) and get extended.
        Assert.InRange(lengthsBelow250 / 300.0, 0.15, 0.35);
    }

    [Fact]
    public void Terminal_frequencies_are_about_a_third_each()
    {
        var counts = new long[3];
        var text = new List<byte>();
        for (int i = 0; i < 2000; i++)
        {
            var rng = new SampleRng(3, 1, (ulong)i);
            text.Clear();
            Grammar.Derive(ref rng, text);
            foreach (byte t in text) counts[t]++;
        }
        double total = counts.Sum();
        Assert.All(counts, c => Assert.InRange(c / total, 0.30, 0.37));
    }
}
