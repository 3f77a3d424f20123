using NativeCore.Backends;
using NativeCore.Tracr;

namespace NativeCore.Tests.Tracr;

public sealed class StartingPointTests
{
    private static StartingPointCell Cell(int n, double std, double accuracy, int size = 1024, int seeds = 5) =>
        new(n, std, Enumerable.Repeat(accuracy, seeds).ToList(), size);

    [Fact]
    public void No_n_is_chosen_when_the_noise_breaks_every_compiled_model()
    {
        // The null result: every N starts below the working accuracy at the spec's noise, however well it does at less.
        var cells = new[] { Cell(8, 1e-3, 0.85), Cell(16, 1e-3, 0.5), Cell(45, 1e-3, 0.0), Cell(45, 1e-4, 1.0) };
        Assert.Null(StartingPoint.Choose(cells));
    }

    [Fact]
    public void The_largest_working_n_is_chosen_and_an_interval_across_the_bar_does_not_count()
    {
        var cells = new[]
        {
            Cell(8, 1e-3, 1.0), Cell(16, 1e-3, 0.97),
            Cell(30, 1e-3, 0.91, size: 40, seeds: 1), // 91% of 40 samples: the interval reaches below 90%
            Cell(45, 1e-3, 0.2), Cell(45, 1e-4, 0.99),
        };
        Assert.Equal(16, StartingPoint.Choose(cells));
        Assert.Equal(45, StartingPoint.Choose(cells, 1e-4));
    }

    [Fact]
    public void The_scan_reads_the_compiled_accuracy_without_noise_and_less_with_it()
    {
        using var backend = BackendRegistry.Create("cpu");
        var cells = StartingPoint.Scan("counter", [4, 6], [0, 0.3], seeds: 2, evalSize: 64, backend);
        Assert.Equal(4, cells.Count);
        Assert.All(cells.Where(c => c.NoiseStd == 0), c => Assert.All(c.Accuracies, a => Assert.Equal(1.0, a)));
        foreach (int n in new[] { 4, 6 })
            Assert.True(cells.Single(c => c.MaxLength == n && c.NoiseStd == 0.3).Pooled.Value < 1.0, $"noise 0.3 left N={n} untouched");
    }
}
