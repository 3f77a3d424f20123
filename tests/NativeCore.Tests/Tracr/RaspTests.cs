using NativeCore.Tracr;

namespace NativeCore.Tests.Tracr;

public class RaspTests
{
    private static RaspValue[] Tokens(string s) => s.Select(c => RaspValue.Of(c.ToString())).ToArray();

    [Fact]
    public void True_equals_one_and_false_equals_zero()
    {
        Assert.Equal(RaspValue.Of(1), RaspValue.Of(true));
        Assert.Equal(RaspValue.Of(0), RaspValue.Of(false));
        Assert.Equal(RaspValue.Of(1).GetHashCode(), RaspValue.Of(true).GetHashCode());
        Assert.NotEqual(RaspValue.Of(2), RaspValue.Of(true));
        Assert.True(RaspValue.Of(false) < RaspValue.Of(1));
        Assert.Equal("True", RaspValue.Of(true).ToString());
        Assert.NotEqual(RaspValue.Of("1"), RaspValue.Of(1));
        Assert.True(RaspValue.Of("a") < RaspValue.Of("b"));
        Assert.Throws<InvalidOperationException>(() => RaspValue.Of("a") < RaspValue.Of(1));
    }

    [Theory]
    [InlineData("EQ", 2, 2, true)]
    [InlineData("LT", 1, 2, true)]
    [InlineData("LT", 2, 1, false)]
    [InlineData("LEQ", 2, 2, true)]
    [InlineData("GT", 3, 2, true)]
    [InlineData("GEQ", 1, 2, false)]
    [InlineData("NEQ", 1, 2, true)]
    [InlineData("TRUE", 5, 0, true)]
    public void Predicates_take_the_key_first(string comparison, int key, int query, bool expected) =>
        Assert.Equal(expected, Enum.Parse<Comparison>(comparison).Holds(RaspValue.Of(key), RaspValue.Of(query)));

    [Fact]
    public void Counter_reference_counts_a_at_index_one_and_the_rest_at_index_zero()
    {
        var result = RaspEvaluator.Evaluate(TracrPrograms.Counter(), Tokens("abacab"));
        Assert.Equal(RaspValue.Of(3), result[1]);
        Assert.Equal(RaspValue.Of(3), result[0]);
        Assert.All(result[2..], v => Assert.Equal(RaspValue.Of(0), v));
        Assert.Equal(RaspValue.Of(1), RaspEvaluator.Evaluate(TracrPrograms.Counter(), Tokens("bbbabc"))[1]);
        Assert.Equal(RaspValue.Of(5), RaspEvaluator.Evaluate(TracrPrograms.Counter(), Tokens("bbbabc"))[0]);
    }

    [Fact]
    public void Max_identifier_reference_finds_the_fifth_smallest_at_index_one()
    {
        var result = RaspEvaluator.Evaluate(TracrPrograms.MaxIdentifier(), Tokens("qzbhadmrck"));
        // Sorted: a b c d h k m q r z; the fifth smallest is h.
        Assert.Equal(RaspValue.Of("h"), result[1]);
        Assert.Equal(RaspValue.Of("m"), RaspEvaluator.Evaluate(TracrPrograms.MaxIdentifier(7), Tokens("qzbhadmrck"))[1]);
        // Index 0 selects nine different tokens, which a categorical Aggregate cannot average.
        Assert.Null(result[0]);
    }

    [Fact]
    public void Selector_width_counts_selected_keys()
    {
        var width = new SelectorWidthSop(new Selector(TokensSop.Instance, TokensSop.Instance, Comparison.LT), "w");
        var result = RaspEvaluator.Evaluate(width, Tokens("cab"));
        Assert.Equal([RaspValue.Of(2), RaspValue.Of(0), RaspValue.Of(1)], result.Select(v => v!.Value));
    }

    [Fact]
    public void Duplicate_labels_are_rejected()
    {
        var a = new MapSop(TokensSop.Instance, t => t, "x");
        var b = new MapSop(a, t => t, "x");
        var ex = Assert.Throws<ArgumentException>(() => TracrCompiler.TopologicalOrder(b));
        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
    }
}
