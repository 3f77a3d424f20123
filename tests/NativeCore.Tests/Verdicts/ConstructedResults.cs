using NativeCore.Analysis;
using NativeCore.Experiments;
using NativeCore.Training;

namespace NativeCore.Tests.Verdicts;

/// <summary>Builds <see cref="PaperResults"/> from chosen numbers, so that the verdict rules can be fed known effects.</summary>
internal sealed class ConstructedResults
{
    public static readonly string[] Sets = [Evaluator.SetName(false, 0), Evaluator.SetName(true, 0), Evaluator.SetName(false, 1), Evaluator.SetName(true, 1)];

    public string[] Priors { get; set; } = ["low", "high"];
    public double[] LearningRates { get; set; } = [1e-4, 1e-5, 1e-6];
    public double[] Ctrs { get; set; } = [0, 1];
    public int N { get; set; } = 1024;

    /// <summary>Samples per held-out pruning set; N when unset.</summary>
    public int? PruneN { get; set; }

    /// <summary>Pre-trained clean accuracy on count a and count b, by prior.</summary>
    public Func<string, (double A, double B)> Pretrained { get; set; } = p => (0.99, p == "low" ? 0.2 : 0.99);

    /// <summary>After fine-tuning, clean count a and clean count b.</summary>
    public Func<string, double, double, (double A, double B)> Finetuned { get; set; } = (_, _, _) => (0.99, 0.99);

    /// <summary>count(a) probe test accuracy of a model (same value at every block past B0).</summary>
    public Func<ModelId, double> ProbeA { get; set; } = _ => 0.9;

    /// <summary>Pruning of a fine-tune or the control: K, count a before → after, count b before → after (held-out).</summary>
    public Func<ModelId, (int K, double A0, double A1, double B0, double B1)> Prune { get; set; } = _ => (5, 0.5, 0.5, 0.9, 0.9);

    /// <summary>The reFT curve of each (prior, C_Tr), as (step, accuracy).</summary>
    public Func<string, double, (long, double)[]> Reft { get; set; } = (_, _) => [(0, 0.2), (100, 0.2), (500, 0.2)];

    /// <summary>The baselines, by name, as (step, accuracy).</summary>
    public Dictionary<string, (long, double)[]> Baselines { get; set; } = new()
    {
        ["Scr.+FT"] = [(0, 0.1), (250, 0.5), (500, 0.8)],
        ["Scr."] = [(0, 0.1), (500, 0.2)],
    };

    public bool WithControl { get; set; } = true;

    private SetAccuracy Acc(string set, double value) => new(set, value, 0.3, N);

    private StageEvaluations Eval(double cleanA, double cleanB) =>
        new("ckpt", [new EvalPoint(100, [Acc(Sets[0], cleanA), Acc(Sets[1], 1), Acc(Sets[2], cleanB), Acc(Sets[3], 1)])]);

    private ProbeCell Probe(ModelId id) =>
        new(id, "count:a", [new ProbeResult("B0", 0.3, 0.3, 0.3, N), new ProbeResult("B1", 0.99, ProbeA(id), 0.3, N), new ProbeResult("B2", 0.98, ProbeA(id), 0.3, N)]);

    private PruneCell PruneCell(ModelId id)
    {
        var (k, a0, a1, b0, b1) = Prune(id);
        int n = PruneN ?? N;
        SetAccuracy P(string set, double value) => new(set, value, 0.3, n);
        return new PruneCell(id, k, P(Sets[0], a0), P(Sets[0], a1), P(Sets[2], b0), P(Sets[2], b1), P(Sets[3], b0), P(Sets[3], b1), [], "prune.png");
    }

    private RevivalCurve Curve(string name, (long Step, double Accuracy)[] points) =>
        ReverseFinetuning.Curve(name, points.Select(p => p.Step).ToList(), points.Select(p => p.Accuracy).ToList(), N);

    public PaperResults Build()
    {
        var baseConfig = ConfigLoader.Load("quick");
        var config = baseConfig with { Grid = baseConfig.Grid with { Priors = Priors, LearningRates = LearningRates, CorrelatedShares = Ctrs, ReftFromLearningRate = LearningRates[0] } };
        var pretrained = Priors.ToDictionary(p => p, p => Eval(Pretrained(p).A, Pretrained(p).B));
        var finetunes = (from p in Priors from l in LearningRates from c in Ctrs select new FinetuneCell(p, l, c, Eval(Finetuned(p, l, c).A, Finetuned(p, l, c).B))).ToList();
        var models = Priors.Select(p => new ModelId(ModelRole.Pretrained, p))
            .Concat(finetunes.Select(f => new ModelId(ModelRole.Finetuned, f.Prior, f.LearningRate, f.CorrelatedShare))).ToList();
        var control = new ModelId(ModelRole.Control, PaperGrid.ControlPrior);
        if (WithControl) models.Add(control);
        var probes = models.Select(Probe).ToList();
        var pruning = models.Where(m => m.Role != ModelRole.Pretrained).Select(PruneCell).ToList();
        var revival = (from p in Priors from c in Ctrs select new RevivalCell(p, c, Curve("reFT", Reft(p, c)))).ToList();
        var baselines = Baselines.Select(kv => Curve(kv.Key, kv.Value)).ToList();
        return new PaperResults(config, pretrained, finetunes, pruning, probes, [], revival, baselines, null, 0);
    }
}
