using System.CommandLine;
using NativeCore.Backends;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore info</c>: the backends and devices this machine offers.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "List the backends and devices found on this machine");
        cmd.SetAction(_ => CliRunner.Run(() =>
        {
            Console.WriteLine($"NativeCore {typeof(BackendRegistry).Assembly.GetName().Version} on .NET {Environment.Version}, {Environment.ProcessorCount} cores");
            foreach (string name in BackendRegistry.Names)
            {
                try
                {
                    using var be = BackendRegistry.Create(name);
                    Console.WriteLine($"  {name,-12} {be.DeviceDescription}");
                }
                catch (BackendUnavailableException e)
                {
                    Console.WriteLine($"  {name,-12} unavailable: {e.Message}");
                }
            }
            Console.WriteLine("ILGPU devices:");
            foreach (string line in BackendRegistry.DescribeDevices()) Console.WriteLine($"  {line}");
            return 0;
        }));
        return cmd;
    }
}
