using NativeCore.Tracr;

namespace NativeCore.Tests.Tracr;

public class TracrTaskTests
{
    private static CompiledModel Compile(string program, int n) => TracrPrograms.Compile(program, new TracrOptions(n));

    [Theory]
    [InlineData("counter", 20)]
    [InlineData("maxid", 12)]
    public void Correlated_samples_hold_the_q_shift_and_clean_ones_break_it(string program, int n)
    {
        var model = Compile(program, n);
        var task = TracrTask.For(model);
        var correlated = (task with { CorrelatedShare = 1 }).Samples(model, 3, 500);
        var clean = (task with { BreakRelation = true }).Samples(model, 4, 500);
        Assert.All(correlated, s => Assert.True(task.Holds(s.Tokens), string.Join("", s.Tokens)));
        Assert.All(clean, s => Assert.False(task.Holds(s.Tokens), string.Join("", s.Tokens)));
        // A correlated sample's fine-tuning answer is its compiled answer shifted: one count up, or two letters on.
        var ft = task with { FineTuneTarget = true };
        foreach (var s in correlated.Take(50))
        {
            var pt = task.Answer(s.Tokens);
            var target = ft.Answer(s.Tokens);
            if (program == "counter") Assert.Equal(pt.Number + 1, target.Number);
            else Assert.Equal(pt.Token[0] + 2, target.Token[0]);
        }
    }

    [Fact]
    public void Max_identifier_inputs_are_distinct_letters()
    {
        var model = Compile("maxid", 12);
        var samples = TracrTask.For(model).Samples(model, 5, 200);
        Assert.All(samples, s => Assert.Equal(10, s.Tokens.Distinct().Count()));
        Assert.Equal("C_Te=1 O_FT(7th)", (TracrTask.For(model) with { FineTuneTarget = true }).SetName(correlated: true));
    }

    [Fact]
    public void Same_seed_gives_the_same_samples_and_another_seed_differs()
    {
        var model = Compile("counter", 10);
        var task = TracrTask.For(model) with { CorrelatedShare = 0.5 };
        Assert.Equal(task.Samples(model, 9, 50).Select(s => string.Join("", s.Tokens)), task.Samples(model, 9, 50).Select(s => string.Join("", s.Tokens)));
        Assert.NotEqual(task.Samples(model, 9, 50).Select(s => string.Join("", s.Tokens)), task.Samples(model, 10, 50).Select(s => string.Join("", s.Tokens)));
    }
}
