//! Render bundles: a pass's draws recorded once and replayed with one `executeBundles` call.
//!
//! Contract:
//! - A pass describes what it draws as a list of [`Command`]s (pipelines, bind groups and draws, with
//!   the GPU objects they name), built fresh each drawn frame from the draw groups (a handful of
//!   entries, not one per node).
//! - [`BundleCache::replay`] compares that list, and the attachment [`BundleTarget`], with the ones its
//!   bundle was recorded from. Only when they differ (a group added or emptied, an instance count
//!   changed, a buffer reallocated, a pipeline or surface swapped, blended groups reordered) does it
//!   record a new bundle. Either way the pass issues one `executeBundles`.
//! - What a bundle reads from buffers (instance transforms, frame uniforms) is not part of the list:
//!   writing those buffers changes the image without re-recording. This is what keeps a WebGPU frame
//!   at a fixed, small number of calls however many groups it draws (issue 17's call budget).
//!
//! Bundles are GPU state derived from the renderer's groups, like everything else here: a renderer
//! rebuilt after device loss starts with empty caches and records on its first frame.

/// One step of a pass, as recorded into a bundle. Holds (reference-counted) handles to the GPU objects
/// it binds, so comparing two lists compares object identities.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `setPipeline`.
    Pipeline(wgpu::RenderPipeline),
    /// `setBindGroup(index, group)` with no dynamic offsets.
    BindGroup(u32, wgpu::BindGroup),
    /// An instanced indexed draw: mesh vertices in slot 0, instances in slot 1.
    DrawIndexed {
        /// The mesh's vertex buffer.
        vertices: wgpu::Buffer,
        /// The per-instance buffer.
        instances: wgpu::Buffer,
        /// The mesh's index buffer.
        indices: wgpu::Buffer,
        /// Its index format.
        index_format: wgpu::IndexFormat,
        /// Indices drawn.
        index_count: u32,
        /// Instances drawn.
        instance_count: u32,
    },
}

/// The attachments a bundle is recorded for; a bundle replays only into a pass with the same ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundleTarget {
    /// Color attachment format, if the pass has one.
    pub color: Option<wgpu::TextureFormat>,
    /// Depth attachment format, if any.
    pub depth: Option<wgpu::TextureFormat>,
    /// Samples per pixel of the attachments.
    pub sample_count: u32,
}

/// One pass's recorded bundle and the commands and target it was recorded from.
#[derive(Debug, Default)]
pub struct BundleCache {
    recorded: Option<(Vec<Command>, BundleTarget, wgpu::RenderBundle)>,
    /// How many bundles this cache has recorded (tests check that redrawing records nothing).
    pub recordings: u32,
}

impl BundleCache {
    /// Replays `commands` into `pass` (whose attachments are `target`) as one bundle, recording it first
    /// unless the last recorded bundle came from the same commands and target. An empty list issues
    /// nothing.
    pub fn replay(
        &mut self,
        device: &wgpu::Device,
        pass: &mut wgpu::RenderPass<'_>,
        commands: Vec<Command>,
        target: BundleTarget,
    ) {
        if commands.is_empty() {
            return;
        }
        let current = self
            .recorded
            .as_ref()
            .is_some_and(|(c, t, _)| *t == target && *c == commands);
        if !current {
            let bundle = record(device, &commands, target);
            self.recordings += 1;
            self.recorded = Some((commands, target, bundle));
        }
        if let Some((_, _, bundle)) = &self.recorded {
            pass.execute_bundles([bundle]);
        }
    }
}

/// Records `commands` into a new bundle for `target`.
fn record(device: &wgpu::Device, commands: &[Command], target: BundleTarget) -> wgpu::RenderBundle {
    let color = [target.color];
    let mut encoder = device.create_render_bundle_encoder(&wgpu::RenderBundleEncoderDescriptor {
        label: Some("pass bundle"),
        color_formats: if target.color.is_some() { &color } else { &[] },
        depth_stencil: target.depth.map(|format| wgpu::RenderBundleDepthStencil {
            format,
            depth_read_only: false,
            stencil_read_only: true,
        }),
        sample_count: target.sample_count,
        multiview: None,
    });
    for command in commands {
        match command {
            Command::Pipeline(pipeline) => encoder.set_pipeline(pipeline),
            Command::BindGroup(index, group) => encoder.set_bind_group(*index, group, &[]),
            Command::DrawIndexed {
                vertices,
                instances,
                indices,
                index_format,
                index_count,
                instance_count,
            } => {
                encoder.set_vertex_buffer(0, vertices.slice(..));
                encoder.set_vertex_buffer(1, instances.slice(..));
                encoder.set_index_buffer(indices.slice(..), *index_format);
                encoder.draw_indexed(0..*index_count, 0, 0..*instance_count);
            }
        }
    }
    encoder.finish(&wgpu::RenderBundleDescriptor {
        label: Some("pass bundle"),
    })
}

/// The renderer's bundles, one per pass.
#[derive(Debug, Default)]
pub struct PassBundles {
    /// The shadow casters.
    pub shadow: BundleCache,
    /// The lit scene.
    pub scene: BundleCache,
}

impl PassBundles {
    /// Bundles recorded so far, all passes together.
    pub fn recordings(&self) -> u32 {
        self.shadow.recordings + self.scene.recordings
    }
}
