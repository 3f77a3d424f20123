using BenchmarkDotNet.Attributes;
using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Stories;

namespace NativeCore.Benchmarks;

/// <summary>
/// Story generation as the twist score runs it: 48 prompts, 200 new tokens each (no stop token), on the default
/// stories model shape, with the key-value cache and by recomputing the context for every token.
/// </summary>
public class GenerationBenchmarks : IDisposable
{
    private readonly IBackend _backend = BackendRegistry.Create("cpu");
    private Gpt? _model;
    private IReadOnlyList<int>[] _prompts = [];

    /// <summary>Whether the key-value cache is used.</summary>
    [Params(true, false)]
    public bool Cache { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var config = new StoriesConfig().Model with { VocabSize = WordTokenizer.ProcStories.Count };
        _model = new Gpt(_backend, config);
        _model.InitializeWeights(1);
        var corpus = StoryCorpus.Procedural(0);
        _prompts = Enumerable.Range(0, 48).Select(i => (IReadOnlyList<int>)corpus.Encode(corpus.Example(StoryScoring.HeldOutStart + i))[..40]).ToArray();
    }

    [Benchmark]
    public int[][] FortyEightStories() => Sampler.GenerateBatch(_model!, _prompts, 200, 1f, 0, seed: 77, stop: null, cache: Cache);

    /// <summary>Frees the model and backend.</summary>
    public void Dispose()
    {
        _model?.Dispose();
        _backend.Dispose();
        GC.SuppressFinalize(this);
    }
}
