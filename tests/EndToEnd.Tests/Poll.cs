namespace EndToEnd.Tests;

/// <summary>Waiting for what becomes true in the background: about whether, never how fast, but never for ever.</summary>
public static class Poll
{
    private static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Polls until <paramref name="condition"/> holds; fails, naming <paramref name="what"/>, past the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? within = null, string what = "the condition")
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultDeadline);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not become true within {within ?? DefaultDeadline}");
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Polls <paramref name="read"/> until its value satisfies <paramref name="done"/> and returns that value; past the
    /// deadline it fails or, when the caller reports itself (<paramref name="failAtDeadline"/> false), returns the last value.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? within = null, string what = "the value",
        bool failAtDeadline = true)
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultDeadline);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow >= deadline)
            {
                Assert.False(failAtDeadline, $"{what} was still {value} after {within ?? DefaultDeadline}");
                return value;
            }
            await Task.Delay(250);
        }
    }
}
