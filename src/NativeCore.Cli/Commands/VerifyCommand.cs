using System.CommandLine;
using NativeCore.Backends;
using NativeCore.Golden;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore verify DIR</c>: checks the model against a PyTorch golden case.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "A golden case folder (case.json plus model, inputs and expected safetensors)" };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("verify", "Compare logits, loss, hooked activations, gradients and one AdamW step with a golden case") { dir, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() => Run(r.GetValue(dir)!, r.GetValue(backendOpt)!, Console.Out)));
        return cmd;
    }

    /// <summary>Prints each tensor's error beside its tolerance; the last line is exactly <c>verify: PASS</c> or <c>verify: FAIL &lt;tensor&gt; &lt;error&gt;</c>.</summary>
    public static int Run(string directory, string backendName, TextWriter output)
    {
        var golden = GoldenCase.Load(directory);
        using var backend = BackendRegistry.Create(backendName);
        var checks = GoldenVerifier.Verify(golden, backend);
        int width = checks.Max(c => c.Name.Length);
        foreach (var c in checks)
            output.WriteLine($"{c.Name.PadRight(width)}  error {c.Error,10:E3}  tolerance {c.Tolerance,9:E1}  {(c.Passed ? "ok" : "FAIL")}");
        var failed = checks.FirstOrDefault(c => !c.Passed);
        output.WriteLine(failed is null ? "verify: PASS" : $"verify: FAIL {failed.Name} {failed.Error:E3}");
        return failed is null ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }
}
