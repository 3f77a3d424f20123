using NativeCore.Backends.Ilgpu;
using NativeCore.Plotting;
using NativeCore.Tokenizers;

namespace NativeCore.Cli;

/// <summary>
/// What the command line plugs into the core before anything runs: the ILGPU backends, the ScottPlot figures and the
/// GPT-2 BPE of real story shards. The core knows none of these
/// assemblies; they register themselves by name.
/// </summary>
public static class Startup
{
    /// <summary>Registers every optional part; calling it again does nothing.</summary>
    public static void Register()
    {
        IlgpuBackends.Register();
        FigureRenderer.Register();
        Gpt2Tokenizer.Register();
    }
}
