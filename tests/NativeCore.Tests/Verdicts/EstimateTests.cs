using NativeCore.Verdicts;

namespace NativeCore.Tests.Verdicts;

public sealed class EstimateTests
{
    [Theory]
    // Reference values of the Wilson score interval (z = 1.96), computed by hand from the closed form.
    [InlineData(0.5, 100, 0.4038, 0.5962)]
    [InlineData(0.0, 10, 0.0, 0.2775)]
    [InlineData(1.0, 10, 0.7225, 1.0)]
    [InlineData(0.9, 1024, 0.8801, 0.9169)]
    public void Wilson_interval_matches_the_closed_form(double p, int n, double low, double high)
    {
        var e = Estimate.Proportion(p, n);
        Assert.Equal(low, e.Low, 3);
        Assert.Equal(high, e.High, 3);
        Assert.Equal(p, e.Value);
    }

    [Fact]
    public void Difference_combines_margins_in_quadrature_as_Newcombe()
    {
        // Newcombe (1998), method 10, example: 56/70 against 48/80 gives 0.2 with interval [0.0524, 0.3339].
        var d = Estimate.Proportion(56 / 70.0, 70).Minus(Estimate.Proportion(48 / 80.0, 80));
        Assert.Equal(0.2, d.Value, 6);
        Assert.Equal(0.0524, d.Low, 3);
        Assert.Equal(0.3339, d.High, 3);
    }

    [Fact]
    public void A_finding_needs_the_whole_interval_on_one_side()
    {
        var e = new Estimate(0.12, 0.08, 0.16);
        Assert.Equal(Finding.Unclear, e.AtLeast(0.10));
        Assert.Equal(Finding.Yes, e.AtLeast(0.08));
        Assert.Equal(Finding.No, e.AtLeast(0.17));
        Assert.Equal(Finding.Yes, e.AtMost(0.16));
        Assert.Equal(Finding.No, e.AtMost(0.05));
    }

    [Fact]
    public void More_samples_narrow_the_interval()
    {
        var small = Estimate.Proportion(0.7, 50);
        var large = Estimate.Proportion(0.7, 5000);
        Assert.True(large.High - large.Low < (small.High - small.Low) / 5);
    }

    [Fact]
    public void Three_valued_logic_and_majority()
    {
        Assert.Equal(Finding.No, Findings.All(Finding.Yes, Finding.Unclear, Finding.No));
        Assert.Equal(Finding.Unclear, Findings.All(Finding.Yes, Finding.Unclear));
        Assert.Equal(Finding.Yes, Findings.Any(Finding.No, Finding.Yes));
        Assert.Equal(Finding.Unclear, Findings.Any(Finding.No, Finding.Unclear));
        Assert.Equal(Finding.No, Findings.Any(Finding.No, Finding.No));
        Assert.Equal(Finding.Yes, Findings.Majority([Finding.Yes, Finding.Yes, Finding.No]));
        Assert.Equal(Finding.Unclear, Findings.Majority([Finding.Yes, Finding.No]));
        Assert.Equal(Finding.Unclear, Findings.Majority([Finding.Yes, Finding.Unclear, Finding.No, Finding.Yes]));
        Assert.Equal(Finding.No, Findings.Majority([Finding.No, Finding.No, Finding.Unclear]));
    }
}
