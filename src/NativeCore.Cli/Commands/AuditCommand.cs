using System.CommandLine;
using NativeCore.Analysis;
using NativeCore.Backends;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore audit</c>: deleted or only wrapped?</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var baseModel = new Option<string>("--base") { Description = "The model before the fine-tune", Required = true };
        var tuned = new Option<string>("--tuned") { Description = "The fine-tuned model", Required = true };
        var capability = new Option<string>("--capability") { Description = "The capability the fine-tune was meant to remove, e.g. counter:a", Required = true };
        var budget = new Option<string>("--budget") { Description = "quick or full", DefaultValueFactory = _ => "quick" };
        var output = new Option<string?>("--out") { Description = "Output folder (default: audit-<capability> inside the tuned run folder)" };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("audit", "Decide whether fine-tuning deleted a capability or only wrapped it (revivable)") { baseModel, tuned, capability, budget, output, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var cap = Capability.Parse(r.GetValue(capability)!);
            string dir = r.GetValue(output) ?? Path.Combine(r.GetValue(tuned)!, $"audit-{cap.ToString().Replace(':', '-')}");
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var report = ProgressDisplay.Run("audit", observer => Audit.Run(r.GetValue(baseModel)!, r.GetValue(tuned)!, cap, AuditBudget.Parse(r.GetValue(budget)!), dir, backend, observer));
            Console.WriteLine($"audit of {report.Capability}: {report.Verdict}");
            foreach (string reason in report.Reasons) Console.WriteLine($"  - {reason}");
            Console.WriteLine($"{report.Seconds:F0} s; wrote {Path.Combine(dir, "report.md")}, report.html and audit.json");
            return 0;
        }));
        return cmd;
    }
}
