using Microsoft.EntityFrameworkCore;

namespace UserService.Infrastructure;

public sealed class UsersDbContext(DbContextOptions<UsersDbContext> options) : DbContext(options)
{
}
