"""conference time zone

Revision ID: 7d1e2f3a4b5c
Revises: c58deaba5723
Create Date: 2026-12-02 02:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d1e2f3a4b5c'
down_revision = 'c58deaba5723'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_column('timezone')
