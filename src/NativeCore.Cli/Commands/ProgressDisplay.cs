using System.Globalization;
using NativeCore.Training;
using Spectre.Console;

namespace NativeCore.Cli.Commands;

/// <summary>
/// Shows training progress: a live Spectre.Console bar (step, loss, latest accuracy, tokens/s, ETA) on a terminal,
/// or plain periodic lines when output is redirected, so logs stay readable.
/// </summary>
internal sealed class ProgressDisplay : ITrainingObserver
{
    private readonly ProgressTask? _bar;
    private readonly TextWriter _plain;
    private string _accuracy = "";
    private long _total;
    private long _lastPlain = -1;

    private ProgressDisplay(ProgressTask? bar, TextWriter plain)
    {
        _bar = bar;
        _plain = plain;
    }

    /// <summary>Whether a live bar can be drawn.</summary>
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with a display that fits the output.</summary>
    public static T Run<T>(string title, Func<ITrainingObserver, T> work)
    {
        if (!Interactive) return work(new ProgressDisplay(null, Console.Out));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => result = work(new ProgressDisplay(ctx.AddTask(Markup.Escape(title)), Console.Out)));
        return result;
    }

    public void Started(string stage, long firstStep, long totalSteps)
    {
        _total = totalSteps;
        if (_bar is not null)
        {
            _bar.MaxValue = totalSteps;
            _bar.Value = firstStep;
        }
        else
        {
            _plain.WriteLine(firstStep > 0 ? $"{stage}: resuming at step {firstStep} of {totalSteps}" : $"{stage}: {totalSteps} steps");
        }
    }

    public void Stepped(StepRecord r)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"step {r.Step}/{r.TotalSteps}  loss {r.Loss:F4}  {_accuracy}{r.TokensPerSecond / 1000:F1}K tok/s");
        if (_bar is not null)
        {
            _bar.Value = r.Step;
            _bar.Description = Markup.Escape(text);
            return;
        }
        long every = Math.Max(1, _total / 20);
        if (r.Step % every == 0 || r.Step == r.TotalSteps)
        {
            _plain.WriteLine(text);
            _lastPlain = r.Step;
        }
    }

    public void Evaluated(long step, IReadOnlyList<SetAccuracy> results)
    {
        var first = results.Count > 0 ? results[0] : null;
        _accuracy = first is null ? "" : string.Create(CultureInfo.InvariantCulture, $"acc[{first.Name}] {first.Accuracy:P1}  ");
        if (_bar is null)
            _plain.WriteLine($"eval @ {step}: " + string.Join("; ", results.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Name} {a.Accuracy:P1} (majority {a.MajorityShare:P1})"))));
    }

    public void Checkpointed(long step, string directory)
    {
        if (_bar is null && step != _lastPlain) _plain.WriteLine($"checkpoint @ {step}: {directory}");
    }
}
