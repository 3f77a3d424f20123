using System.Diagnostics;
using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Training;

// Learn "each token is the one before it plus one, mod 16" with a two-block GPT on the cpu backend, then read the last
// block's residual stream through a hook and let the model continue a prompt.
const int Vocab = 16, T = 8, B = 16, Steps = 60;
var config = new GptConfig { NLayer = 2, NHead = 2, NEmbd = 32, BlockSize = T, VocabSize = Vocab };
using var model = new Gpt(BackendRegistry.Create("cpu"), config);
model.InitializeWeights(seed: 1);
using var optimizer = new AdamW(model, new AdamWConfig());

var tokens = new int[B * T];
var targets = new int[B * T];
for (int step = 0; step < Steps; step++)
{
    for (int i = 0; i < B * T; i++)
    {
        int start = (step * B + i / T) * 7 % Vocab;
        tokens[i] = (start + i % T) % Vocab;
        targets[i] = (tokens[i] + 1) % Vocab;
    }
    float loss = model.TrainStep(tokens, targets, B, T, dropoutSeed: (ulong)step);
    optimizer.Step(learningRate: 3e-3f);
    if (step == 0) Console.WriteLine($"first step: loss {loss:F3}, {(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds:F0} ms after start");
    if (step == Steps - 1) Console.WriteLine($"step {Steps}: loss {loss:F3}");
}

string hook = HookPoints.ResidPost(config.NLayer - 1);
using (var cache = new ActivationCache([hook]))
{
    model.Forward(tokens.AsSpan(0, T), [], 1, T, cache);
    Console.WriteLine($"{hook}: shape {cache[hook].ShapeText}, first value {cache[hook].ToArray()[0]:F4}");
}

int[] generated = Sampler.Generate(model, [3, 4, 5], maxTokens: 5, temperature: 0, topK: 0, seed: 0);
Console.WriteLine($"generated after 3 4 5: {string.Join(' ', generated)}");
Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB");
